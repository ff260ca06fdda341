// Fills the full-text index off the pipe's hot path. insertRequests only stores rows; this indexes the rows
// above the `fts_progress.indexed_rid` watermark in chunks, from an unref'd timer that runs once the store
// has been idle for IDLE_MS, or at the latest FTS_MAX_DELAY_MS after the first unindexed insert. Every query
// that reads requests_fts calls catchUp() first, so search results are always exact.
//
// Safe with several processes on one file: each chunk re-reads the watermark inside its IMMEDIATE
// transaction, so no row is indexed twice.
import type Database from 'better-sqlite3';
import type { RawHeaders } from '../../common/model';
import { bodySearchText, headerSearchText, pathSearchText } from './search-text';

/** Quiet time after the last insert before indexing starts, in ms. */
const IDLE_MS = 100;
/**
 * Longest a row waits to be indexed while inserts keep coming, in ms. It bounds the backlog a search may
 * have to index first: at 5,000 inserts/s, about 1,250 rows.
 */
export const FTS_MAX_DELAY_MS = 250;
/** Rows per background step (one transaction); bounds how long a step holds the event loop. */
const CHUNK_ROWS = 500;
/** Rows per transaction when a query waits for the index: larger, since nothing else runs meanwhile. */
const CATCH_UP_ROWS = 5000;

export interface FtsIndexer {
  /** Tells the indexer rows were inserted; schedules a background step. */
  inserted(): void;
  /** Indexes every row not yet indexed, synchronously: call before any query that reads requests_fts. */
  catchUp(): void;
  /**
   * Cancels the background step; whatever is left is indexed by the next catchUp (here or later).
   * Returns true when a step was scheduled, i.e. this connection inserted rows not yet indexed.
   */
  stop(): boolean;
}

interface PendingRow {
  rid: number;
  path: string;
  query: string;
  content_type: string | null;
  headers: string;
  body: Buffer;
}

export function createFtsIndexer(db: Database.Database): FtsIndexer {
  const behind = db
    .prepare<[], number>(
      `SELECT (SELECT indexed_rid FROM fts_progress) < coalesce((SELECT max(rid) FROM requests), 0)`,
    )
    .pluck();
  const watermark = db.prepare<[], number>('SELECT indexed_rid FROM fts_progress').pluck();
  const pending = db.prepare<[number, number], PendingRow>(
    `SELECT r.rid, r.path, r.query, r.content_type, b.headers, b.body
     FROM requests AS r JOIN request_bodies AS b ON b.rid = r.rid
     WHERE r.rid > ? ORDER BY r.rid LIMIT ?`,
  );
  const insertFts = db.prepare('INSERT INTO requests_fts (rowid, path, headers, body) VALUES (?, ?, ?, ?)');
  const advance = db.prepare('UPDATE fts_progress SET indexed_rid = ?');

  /** Indexes up to `limit` rows above the watermark; returns true when it filled the chunk (maybe more). */
  const step = db.transaction((limit: number): boolean => {
    const rows = pending.all(watermark.get() ?? 0, limit);
    for (const row of rows) {
      const headers = JSON.parse(row.headers) as RawHeaders;
      insertFts.run(
        row.rid,
        pathSearchText(row.path, row.query),
        headerSearchText(headers),
        bodySearchText(row.body, row.content_type ?? undefined),
      );
    }
    const last = rows[rows.length - 1];
    if (last) advance.run(last.rid);
    return rows.length === limit;
  });

  let timer: NodeJS.Timeout | undefined;
  let lastInsertAt = 0;
  let dueAt = 0;

  const arm = (ms: number): void => {
    timer = setTimeout(background, Math.max(0, ms));
    timer.unref();
  };

  function background(): void {
    timer = undefined;
    const now = performance.now();
    const idleAt = lastInsertAt + IDLE_MS;
    if (now < idleAt && now < dueAt) {
      arm(Math.min(idleAt, dueAt) - now);
      return;
    }
    let more: boolean;
    try {
      more = step.immediate(CHUNK_ROWS);
    } catch {
      // Typically another process holding the write lock. Nothing is lost: retry later, and any search
      // catches up (and reports a lasting failure) itself.
      dueAt = now + FTS_MAX_DELAY_MS;
      arm(FTS_MAX_DELAY_MS);
      return;
    }
    if (more) {
      dueAt = now; // keep going, one chunk per timer turn so other work runs in between
      arm(0);
    }
  }

  return {
    inserted: () => {
      lastInsertAt = performance.now();
      if (timer) return;
      dueAt = lastInsertAt + FTS_MAX_DELAY_MS;
      arm(IDLE_MS);
    },
    catchUp: () => {
      if (behind.get() !== 1) return;
      while (step.immediate(CATCH_UP_ROWS));
    },
    stop: () => {
      if (!timer) return false;
      clearTimeout(timer);
      timer = undefined;
      return true;
    },
  };
}
