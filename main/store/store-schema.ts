// The event store's schema as an ordered list of migrations. `PRAGMA user_version` holds the number of
// migrations applied; each one runs in its own IMMEDIATE transaction together with the version bump, so a
// crash mid-migration leaves the previous version intact. Append new migrations; never edit a shipped one.
import type Database from 'better-sqlite3';
import { AppError } from '../../common/errors';

export interface Migration {
  /** One line saying what the migration does, for logs and errors. */
  description: string;
  up: (db: Database.Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    description: 'requests with their bodies apart, attempts, channel cursors, deferred full-text index',
    up: (db) => {
      // `rid` aliases the rowid so the FTS rows (keyed by rowid) stay linked even after a VACUUM, which may
      // renumber implicit rowids. `id` is the relay's request id, the dedupe key.
      // last_attempt_* are denormalised from attempts by a trigger so the list and `status:` filter stay cheap.
      // Headers and body live in request_bodies, so that trigger rewrites a ~200-byte row, not the body too.
      // Indexes are only those a query plan uses: each one costs every insert on the pipe's hot path.
      db.exec(`
        CREATE TABLE requests (
          rid INTEGER PRIMARY KEY,
          id TEXT NOT NULL UNIQUE,
          channel_id TEXT NOT NULL,
          seq INTEGER NOT NULL,
          method TEXT NOT NULL,
          path TEXT NOT NULL,
          query TEXT NOT NULL,
          body_size INTEGER NOT NULL,
          content_type TEXT,
          received_at INTEGER NOT NULL,
          source_ip TEXT,
          provider TEXT,
          event_type TEXT,
          event_id TEXT,
          verification_status TEXT,
          verification_provider TEXT,
          verification_reason TEXT,
          pinned INTEGER NOT NULL DEFAULT 0,
          note TEXT,
          attempt_count INTEGER NOT NULL DEFAULT 0,
          last_attempt_at INTEGER,
          last_attempt_status INTEGER,
          last_attempt_duration_ms INTEGER,
          last_attempt_error TEXT
        );
        CREATE INDEX requests_newest ON requests (received_at DESC, rid DESC);
        CREATE INDEX requests_channel_newest ON requests (channel_id, received_at DESC, rid DESC);
        CREATE INDEX requests_pinned ON requests (pinned) WHERE pinned = 1;

        CREATE TABLE request_bodies (
          rid INTEGER PRIMARY KEY REFERENCES requests (rid) ON DELETE CASCADE,
          headers TEXT NOT NULL,
          body BLOB NOT NULL
        );

        -- One index serves listing by request, ON DELETE CASCADE and uniqueness. Attempt ids are random UUIDs
        -- and unique per request here: a global index on them would dirty a random page per insert.
        CREATE TABLE attempts (
          aid INTEGER PRIMARY KEY,
          id TEXT NOT NULL,
          request_rid INTEGER NOT NULL REFERENCES requests (rid) ON DELETE CASCADE,
          kind TEXT NOT NULL,
          url TEXT NOT NULL,
          method TEXT NOT NULL,
          request_headers TEXT NOT NULL,
          started_at INTEGER NOT NULL,
          duration_ms INTEGER NOT NULL,
          status INTEGER,
          response_headers TEXT,
          response_body BLOB,
          response_truncated INTEGER NOT NULL DEFAULT 0,
          error_code TEXT,
          error_message TEXT
        );
        CREATE UNIQUE INDEX attempts_by_request ON attempts (request_rid, id);

        CREATE TABLE channel_cursors (
          channel_id TEXT PRIMARY KEY,
          last_seq INTEGER NOT NULL
        ) WITHOUT ROWID;

        -- Contentless: the text is derived in JS (decoded bodies, header lines) and not worth storing twice;
        -- contentless_delete lets retention remove rows by rowid (SQLite ≥ 3.43).
        CREATE VIRTUAL TABLE requests_fts USING fts5 (
          path, headers, body,
          content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
        );

        -- The index is filled off the hot path (fts-indexer.ts): every request with rid <= indexed_rid is
        -- in requests_fts, none above it is.
        CREATE TABLE fts_progress (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          indexed_rid INTEGER NOT NULL
        );
        INSERT INTO fts_progress VALUES (1, 0);

        CREATE TRIGGER requests_fts_delete AFTER DELETE ON requests
        WHEN old.rid <= (SELECT indexed_rid FROM fts_progress) BEGIN
          DELETE FROM requests_fts WHERE rowid = old.rid;
        END;

        CREATE TRIGGER attempts_latest AFTER INSERT ON attempts BEGIN
          UPDATE requests SET
            attempt_count = attempt_count + 1,
            last_attempt_at = CASE WHEN last_attempt_at IS NULL OR new.started_at >= last_attempt_at
              THEN new.started_at ELSE last_attempt_at END,
            last_attempt_status = CASE WHEN last_attempt_at IS NULL OR new.started_at >= last_attempt_at
              THEN new.status ELSE last_attempt_status END,
            last_attempt_duration_ms = CASE WHEN last_attempt_at IS NULL OR new.started_at >= last_attempt_at
              THEN new.duration_ms ELSE last_attempt_duration_ms END,
            last_attempt_error = CASE WHEN last_attempt_at IS NULL OR new.started_at >= last_attempt_at
              THEN new.error_code ELSE last_attempt_error END
          WHERE rid = new.request_rid;
        END;
      `);
    },
  },
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings `db` up to SCHEMA_VERSION. Safe when two processes open the same file at once: the version is
 * re-read inside each write transaction. Throws AppError('storage_error') for a file from a newer build.
 */
export function migrate(db: Database.Database, file: string): void {
  const current = userVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new AppError(
      'storage_error',
      `${file} has schema version ${current}, newer than this Hookline understands (${SCHEMA_VERSION}): ` +
        'upgrade Hookline, or point --data-dir somewhere else',
    );
  }
  if (current === 0) {
    // A SQLite file at version 0 that already has tables belongs to something else; migrating it would
    // fail half-way on a name clash or, worse, succeed next to someone else's data.
    const tables = db
      .prepare("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
      .pluck()
      .get();
    // Re-read the version: another process may have just created the schema (same commit as its tables).
    if (typeof tables === 'number' && tables > 0 && userVersion(db) === 0) {
      throw new AppError(
        'storage_error',
        `${file} is not a Hookline database or is corrupt: move it aside or delete it (it holds other tables)`,
      );
    }
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    const migration = MIGRATIONS[version];
    if (!migration) break;
    db.transaction(() => {
      if (userVersion(db) !== version) return;
      migration.up(db);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}

/** The number of migrations applied to `db` (`PRAGMA user_version`). */
export function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}
