// Retention: deletes the oldest unpinned requests over the count, size or age limit. Bodies and attempts go
// with their request (ON DELETE CASCADE) and indexed FTS rows with it too (the requests_fts_delete trigger),
// so a retention pass never leaves orphans, whatever the limits.
import type Database from 'better-sqlite3';
import type { RetentionLimits } from './store-types';

export interface RetentionStatements {
  run(limits: RetentionLimits, now: number): number;
}

/** Prepares the retention statements once for `db`. */
export function prepareRetention(db: Database.Database): RetentionStatements {
  const byAge = db.prepare('DELETE FROM requests WHERE pinned = 0 AND received_at < ?');
  const totals = db.prepare<[], { count: number; bytes: number | null }>(
    'SELECT count(*) AS count, sum(body_size) AS bytes FROM requests',
  );
  const oldestUnpinned = db.prepare(
    `DELETE FROM requests WHERE rid IN (
       SELECT rid FROM requests WHERE pinned = 0 ORDER BY received_at, rid LIMIT ?)`,
  );
  // Deletes oldest-first the shortest run of unpinned requests whose bodies add up to at least `excess`
  // bytes: a row goes when the bytes of the unpinned rows older than it are still short of `excess`.
  const oldestBytes = db.prepare(
    `DELETE FROM requests WHERE rid IN (
       SELECT rid FROM (
         SELECT rid, body_size,
                sum(body_size) OVER (ORDER BY received_at, rid ROWS UNBOUNDED PRECEDING) AS upto
         FROM requests WHERE pinned = 0)
       WHERE upto - body_size < ?)`,
  );

  // SQLite gives a new row max(rid) + 1, so deleting the highest rids lets them be reused. Lowering the FTS
  // watermark to the highest rid left keeps "indexed iff rid <= indexed_rid" true for the rows to come.
  const clampWatermark = db.prepare(
    'UPDATE fts_progress SET indexed_rid = min(indexed_rid, coalesce((SELECT max(rid) FROM requests), 0))',
  );

  const run = db.transaction((limits: RetentionLimits, now: number): number => {
    let deleted = 0;
    if (limits.maxAgeMs !== undefined) deleted += byAge.run(now - limits.maxAgeMs).changes;
    if (limits.maxCount !== undefined) {
      const excess = (totals.get()?.count ?? 0) - Math.max(0, limits.maxCount);
      if (excess > 0) deleted += oldestUnpinned.run(excess).changes;
    }
    if (limits.maxBytes !== undefined) {
      const excess = (totals.get()?.bytes ?? 0) - Math.max(0, limits.maxBytes);
      if (excess > 0) deleted += oldestBytes.run(excess).changes;
    }
    if (deleted > 0) clampWatermark.run();
    return deleted;
  });

  return { run: (limits, now) => run.immediate(limits, now) };
}
