// The event store: captured requests, their attempts and each channel's delivery cursor, in one SQLite
// file (better-sqlite3, WAL). insertRequests is the hot path of the pipe: one transaction per batch,
// prepared statements, and the body bound as the caller's bytes without a copy.
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../../common/errors';
import type { RequestId } from '../../common/ids';
import type { Attempt, StoredRequest } from '../../common/model';
import { compileFilter, ftsPhrase, type SqlCondition, type TextPlan } from './filter-sql';
import { parseFilter } from './request-filter';
import { createFtsIndexer } from './fts-indexer';
import { contentTypeOf } from './search-text';
import { guarded, storageError } from './store-errors';
import { applyPatch } from './request-patch';
import { prepareRetention } from './store-retention';
import {
  ATTEMPT_COLUMNS,
  SUMMARY_COLUMNS,
  asBuffer,
  attemptParams,
  toAttempt,
  toStoredRequest,
  toSummary,
  type AttemptRow,
  type RequestRow,
  type SummaryRow,
} from './store-rows';
import { migrate } from './store-schema';
import {
  BACKSTOP_AUTOCHECKPOINT_PAGES,
  startCheckpointWorker,
  type CheckpointOptions,
  type CheckpointWorker,
} from '../../relay/store/checkpoint-worker';
import type { EventStore, ListRequestsOptions, RequestPage } from './store-types';

export type * from './store-types';

export interface EventStoreOptions {
  /** The SQLite file; created with its folder (mode 0700) when missing. */
  file: string;
  /** Clock for age-based retention, in ms since the epoch. Default Date.now. */
  now?: () => number;
  /** How long a write waits for another connection's lock before failing, in ms. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * Run WAL checkpoints from a worker thread instead of inside the commits that cross SQLite's
   * autocheckpoint threshold, so a busy pipe never waits for one (default: off, since a short-lived CLI
   * command has no use for a thread). `true`, or the worker's options.
   */
  backgroundCheckpoints?: boolean | CheckpointOptions;
}

const MAX_PAGE = 1000;

/** Opens (creating or migrating) the store. Throws AppError('storage_error') naming the file on failure. */
export function openEventStore(options: EventStoreOptions): EventStore {
  const { file } = options;
  const now = options.now ?? Date.now;
  let db: Database.Database | undefined;
  let checkpointer: CheckpointWorker | undefined;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
    restrictMode(file);
    db.pragma('journal_mode = WAL'); // the first read: a file that is not SQLite fails here
    db.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable across app crashes, one fsync per checkpoint
    db.pragma('foreign_keys = ON');
    migrate(db, file);
    const background = options.backgroundCheckpoints;
    if (background) {
      db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
      checkpointer = startCheckpointWorker(file, background === true ? {} : background);
    }
    return createEventStore(db, file, now, checkpointer);
  } catch (e: unknown) {
    void checkpointer?.stop();
    db?.close();
    throw storageError(e, file);
  }
}

function createEventStore(
  db: Database.Database,
  file: string,
  now: () => number,
  checkpointer: CheckpointWorker | undefined,
): EventStore {
  const insertRequest = db.prepare(
    `INSERT OR IGNORE INTO requests (id, channel_id, seq, method, path, query, body_size, content_type,
       received_at, source_ip, provider, event_type, event_id, verification_status, verification_provider,
       verification_reason, pinned, note)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertBody = db.prepare('INSERT INTO request_bodies (rid, headers, body) VALUES (?, ?, ?)');
  const raiseCursor = db.prepare(
    `INSERT INTO channel_cursors (channel_id, last_seq) VALUES (?, ?)
     ON CONFLICT (channel_id) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)`,
  );
  const selectLastSeq = db
    .prepare<[string], number>('SELECT last_seq FROM channel_cursors WHERE channel_id = ?')
    .pluck();
  const selectRequest = db.prepare<[string], RequestRow>(
    `SELECT ${SUMMARY_COLUMNS}, b.headers, b.body
     FROM requests AS r JOIN request_bodies AS b ON b.rid = r.rid WHERE r.id = ?`,
  );
  // Resolves the request id to its rid in the same statement: no row is inserted (changes = 0) when the
  // request is not stored.
  const insertAttemptStmt = db.prepare<unknown[]>(
    `INSERT INTO attempts (id, request_rid, kind, url, method, request_headers, started_at, duration_ms, status,
       response_headers, response_body, response_truncated, error_code, error_message)
     SELECT ?, r.rid, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM requests AS r WHERE r.id = ?`,
  );
  const selectAttempts = db.prepare<[string], AttemptRow>(
    `SELECT ${ATTEMPT_COLUMNS} FROM attempts AS a JOIN requests AS r ON r.rid = a.request_rid
     WHERE r.id = ? ORDER BY a.started_at, a.aid`,
  );
  const selectAttemptsOf = db.prepare<[string], AttemptRow>(
    `SELECT ${ATTEMPT_COLUMNS} FROM attempts AS a JOIN requests AS r ON r.rid = a.request_rid
     WHERE r.id IN (SELECT value FROM json_each(?)) ORDER BY a.started_at, a.aid`,
  );
  const fts = createFtsIndexer(db);
  const retention = prepareRetention(db);
  const statements = new Map<string, Database.Statement>();
  /** Filtered queries differ only by the filter's shape, so their statements are cached by SQL text. */
  const prepared = (sql: string): Database.Statement => {
    let stmt = statements.get(sql);
    if (!stmt) {
      if (statements.size >= 200) statements.clear();
      stmt = db.prepare(sql);
      statements.set(sql, stmt);
    }
    return stmt;
  };

  // Attempts whose request retention already deleted are skipped: there is nothing left to attach them to.
  const insertAttemptBatch = db.transaction((attempts: readonly Attempt[]): number => {
    let stored = 0;
    for (const attempt of attempts) stored += insertAttemptStmt.run(...attemptParams(attempt)).changes;
    return stored;
  });

  const insertBatch = db.transaction((requests: readonly StoredRequest[]): RequestId[] => {
    const inserted: RequestId[] = [];
    const maxSeq = new Map<string, number>();
    for (const r of requests) {
      const v = r.verification;
      const info = insertRequest.run(
        r.id,
        r.channelId,
        r.seq,
        r.method,
        r.path,
        r.query,
        r.body.byteLength,
        contentTypeOf(r.headers) ?? null,
        r.receivedAt,
        r.sourceIp ?? null,
        r.provider ?? null,
        r.eventType ?? null,
        r.eventId ?? null,
        v?.status ?? null,
        v?.provider ?? null,
        v?.reason ?? null,
        r.pinned ? 1 : 0,
        r.note ?? null,
      );
      if (info.changes === 1) {
        inserted.push(r.id);
        insertBody.run(info.lastInsertRowid, JSON.stringify(r.headers), asBuffer(r.body));
      }
      if (r.seq > (maxSeq.get(r.channelId) ?? 0)) maxSeq.set(r.channelId, r.seq);
    }
    for (const [channelId, seq] of maxSeq) raiseCursor.run(channelId, seq);
    return inserted;
  });

  const ftsMatchesCapped = db
    .prepare<[string, number], number>(
      'SELECT count(*) FROM (SELECT 1 FROM requests_fts WHERE requests_fts MATCH ? LIMIT ?)',
    )
    .pluck();
  /** Words matching more rows than this are probed row by row rather than collected (see TextPlan). */
  const PROBE_ABOVE = 10_000;
  const planFor = (fts: string): TextPlan =>
    (ftsMatchesCapped.get(fts, PROBE_ABOVE) ?? 0) >= PROBE_ABOVE ? 'probe' : 'set';

  /** The filter's condition; `forPage` picks the text plan that finds a newest-first page fastest. */
  const filterOf = (expr: string | undefined, forPage = false): SqlCondition => {
    if (!expr?.trim()) return { sql: 'TRUE', params: [] };
    const ast = parseFilter(expr);
    const set = compileFilter(ast);
    // Only conditions that read the full-text index need it caught up (e.g. not `provider:` or `status:`).
    if (set.sql.includes('requests_fts')) fts.catchUp();
    return forPage && set.fts !== undefined && planFor(set.fts) === 'probe'
      ? compileFilter(ast, 'probe')
      : set;
  };

  const newest = (where: SqlCondition[], limit: number): SummaryRow[] => {
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM requests AS r WHERE ${where.map((w) => w.sql).join(' AND ')}
      ORDER BY r.received_at DESC, r.rid DESC LIMIT ?`;
    return prepared(sql).all(...where.flatMap((w) => w.params), limit) as SummaryRow[];
  };

  return {
    file,

    insertRequests: (requests) =>
      guarded(file, () => {
        const inserted = insertBatch.immediate(requests);
        if (inserted.length > 0) fts.inserted();
        return inserted;
      }),

    lastSeq: (channelId) => guarded(file, () => selectLastSeq.get(channelId) ?? 0),

    getRequest: (id) =>
      guarded(file, () => {
        const row = selectRequest.get(id);
        return row ? toStoredRequest(row) : undefined;
      }),

    listRequests: (options: ListRequestsOptions = {}): RequestPage =>
      guarded(file, () => {
        const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), MAX_PAGE);
        const where: SqlCondition[] = [];
        if (options.channelId !== undefined)
          where.push({ sql: 'r.channel_id = ?', params: [options.channelId] });
        if (options.before) {
          const [receivedAt, rid] = decodeCursor(options.before);
          where.push({ sql: '(r.received_at, r.rid) < (?, ?)', params: [receivedAt, rid] });
        }
        where.push(filterOf(options.filter, true));
        const rows = newest(where, limit + 1);
        const kept = rows.slice(0, limit);
        const items = kept.map(toSummary);
        const last = rows.length > limit ? kept[kept.length - 1] : undefined;
        return last ? { items, next: encodeCursor(last.received_at, last.rid) } : { items };
      }),

    countRequests: (filter) =>
      guarded(file, () => {
        const where = filterOf(filter);
        return prepared(`SELECT count(*) FROM requests AS r WHERE ${where.sql}`)
          .pluck()
          .get(...where.params) as number;
      }),

    searchBodies: (text, limit = 50) =>
      guarded(file, () => {
        if (!/[\p{L}\p{N}]/u.test(text)) return [];
        const match = ftsPhrase(text, { column: 'body' });
        fts.catchUp();
        const sql =
          planFor(match) === 'probe'
            ? 'EXISTS (SELECT 1 FROM requests_fts WHERE requests_fts MATCH ? AND rowid = r.rid)'
            : 'r.rid IN (SELECT rowid FROM requests_fts WHERE requests_fts MATCH ?)';
        return newest([{ sql, params: [match] }], Math.min(Math.max(limit, 1), MAX_PAGE)).map(toSummary);
      }),

    updateRequest: (id, patch) =>
      guarded(file, () => {
        if (!applyPatch(prepared, id, patch)) throw notFound(id);
      }),

    insertAttempt: (attempt: Attempt) =>
      guarded(file, () => {
        if (insertAttemptStmt.run(...attemptParams(attempt)).changes === 0) throw notFound(attempt.requestId);
      }),

    insertAttempts: (attempts: readonly Attempt[]) => guarded(file, () => insertAttemptBatch(attempts)),

    listAttempts: (requestId) => guarded(file, () => selectAttempts.all(requestId).map(toAttempt)),

    latestAttempts: (requestIds) =>
      guarded(file, () => {
        const latest = new Map<RequestId, Attempt>();
        if (requestIds.length === 0) return latest;
        for (const row of selectAttemptsOf.all(JSON.stringify(requestIds))) {
          const a = toAttempt(row);
          latest.set(a.requestId, a); // rows come oldest first, so the last one wins
        }
        return latest;
      }),

    applyRetention: (limits) => guarded(file, () => ({ deleted: retention.run(limits, now()) })),

    close: () => {
      if (!db.open) return;
      try {
        // Leaves nothing of ours for the next open (often a CLI search) to index: at most ~1 s of inserts.
        if (fts.stop()) fts.catchUp();
      } catch {
        // Only saves time later: a later open catches up when it searches.
      }
      try {
        // Refreshes the planner statistics the queries above rely on; cheap when little changed.
        db.pragma('optimize');
      } catch {
        // Only an optimisation: another process may hold the write lock, and closing must still succeed.
      }
      db.close();
      // The worker finishes its last checkpoint on its own connection; the process waits for it.
      void checkpointer?.stop();
    },
  };
}

// Cursors carry the last row's (received_at, rid), so the next page starts strictly after it even when
// many requests share a millisecond. Opaque to callers: base64url of "receivedAt.rid".

function encodeCursor(receivedAt: number, rid: number): string {
  return Buffer.from(`${receivedAt}.${rid}`).toString('base64url');
}

function decodeCursor(cursor: string): [number, number] {
  const m = /^(\d+)\.(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new AppError('bad_request', `'${cursor.slice(0, 40)}' is not a page cursor from this store`);
  return [Number(m[1]), Number(m[2])];
}

/**
 * Owner-only (0600): captured bodies can hold personal data and tokens. SQLite gives the -wal and -shm files
 * the database file's mode. Best effort: a file owned by someone else, or a filesystem without modes, stays.
 */
function restrictMode(file: string): void {
  try {
    chmodSync(file, 0o600);
  } catch {
    // see above: not a reason to refuse to open
  }
}

function notFound(id: string): AppError {
  return new AppError('request_not_found', `no stored request has id '${id}'`);
}
