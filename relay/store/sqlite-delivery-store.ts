// The embedded delivery buffer: one SQLite file in WAL mode with synchronous=NORMAL, which
// survives a crash or kill -9 of the process (a committed transaction is in the WAL before
// the call returns); only an OS crash or power cut could lose the last commits. One write path:
// every change goes through a prepared statement on this one connection.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../common/errors';
import { asChannelId, asRequestId, type ChannelId, type SubscriberId } from '../../common/ids';
import type { CapturedRequest, RawHeaders, ResponseMode } from '../../common/model';
import type {
  ChannelRecord,
  CursorUpdate,
  DeliveryStore,
  NewDelivery,
  PruneResult,
  PruneRules,
  ReadLimit,
} from './delivery-store';
import { BACKSTOP_AUTOCHECKPOINT_PAGES, startCheckpointWorker } from './checkpoint-worker';

// Deliveries are a queue per channel: appended at the tail of (channel_id, seq), deleted from the
// head. The primary key is the only index the write path maintains; retention walks it per channel
// instead of keeping an index on received_at. Small columns come before the body so reading them
// (prune, stats) never touches a large body's overflow pages. A channel's last_seq is saved when
// deliveries are deleted, not on every append: the highest seq is MAX(last_seq, MAX(seq)).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS channels (
  id TEXT PRIMARY KEY,
  token_hash BLOB NOT NULL,
  response_mode TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seq INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS deliveries (
  channel_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  query TEXT NOT NULL,
  source_ip TEXT,
  headers TEXT NOT NULL,
  body BLOB NOT NULL,
  PRIMARY KEY (channel_id, seq)
);
DROP INDEX IF EXISTS deliveries_received_at;
CREATE TABLE IF NOT EXISTS cursors (
  channel_id TEXT NOT NULL,
  subscriber_id TEXT NOT NULL,
  acked_seq INTEGER NOT NULL,
  PRIMARY KEY (channel_id, subscriber_id)
);
`;

interface ChannelRow {
  id: string;
  token_hash: Buffer;
  response_mode: string;
  created_at: number;
  last_seq: number;
}

interface DeliveryRow {
  channel_id: string;
  seq: number;
  request_id: string;
  method: string;
  path: string;
  query: string;
  headers: string;
  body: Buffer;
  received_at: number;
  bytes: number;
  source_ip: string | null;
}

export function openSqliteDeliveryStore(dataDir: string): DeliveryStore {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'relay.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
  db.exec(SCHEMA);
  const checkpointer = startCheckpointWorker(file);

  const insertChannel = db.prepare(
    'INSERT INTO channels (id, token_hash, response_mode, created_at) VALUES (?, ?, ?, ?)',
  );
  const lastSeqOf = `MAX(c.last_seq, COALESCE((SELECT MAX(seq) FROM deliveries WHERE channel_id = c.id), 0))`;
  const selectChannel = db.prepare<[string], ChannelRow>(
    `SELECT c.id, c.token_hash, c.response_mode, c.created_at, ${lastSeqOf} AS last_seq FROM channels c WHERE c.id = ?`,
  );
  const selectLastSeq = db.prepare<[string], { last_seq: number }>(
    `SELECT ${lastSeqOf} AS last_seq FROM channels c WHERE c.id = ?`,
  );
  const saveLastSeq = db.prepare(
    `UPDATE channels SET last_seq = MAX(last_seq, COALESCE((SELECT MAX(seq) FROM deliveries WHERE channel_id = ?), 0)) WHERE id = ?`,
  );
  const insertDelivery = db.prepare(
    `INSERT INTO deliveries (channel_id, seq, request_id, received_at, bytes, method, path, query, source_ip, headers, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  // Skip-scan over the primary key: one seek per channel that has deliveries.
  const selectNextChannel = db
    .prepare<[string], string>(
      'SELECT channel_id FROM deliveries WHERE channel_id > ? ORDER BY channel_id LIMIT 1',
    )
    .pluck();
  const selectAges = db.prepare<[string], { seq: number; received_at: number }>(
    'SELECT seq, received_at FROM deliveries WHERE channel_id = ? ORDER BY seq',
  );
  const selectAfter = db.prepare<[string, number, number], DeliveryRow>(
    'SELECT * FROM deliveries WHERE channel_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const selectCursor = db.prepare<[string, string], { acked_seq: number }>(
    'SELECT acked_seq FROM cursors WHERE channel_id = ? AND subscriber_id = ?',
  );
  const upsertCursor = db.prepare(
    `INSERT INTO cursors (channel_id, subscriber_id, acked_seq) VALUES (?, ?, ?)
     ON CONFLICT (channel_id, subscriber_id) DO UPDATE SET acked_seq = excluded.acked_seq`,
  );
  const selectMinCursors = db.prepare<[], { channel_id: string; min_seq: number }>(
    'SELECT channel_id, MIN(acked_seq) AS min_seq FROM cursors GROUP BY channel_id',
  );
  const deleteUpTo = db.prepare('DELETE FROM deliveries WHERE channel_id = ? AND seq <= ?');
  const selectOverCap = db.prepare<[number], { channel_id: string }>(
    'SELECT channel_id FROM deliveries GROUP BY channel_id HAVING SUM(bytes) > ?',
  );
  // The newest seq whose own bytes plus all newer bytes exceed the cap: it and everything older go.
  const selectCapCut = db.prepare<[string, number], { seq: number }>(
    `SELECT seq FROM (SELECT seq, SUM(bytes) OVER (ORDER BY seq DESC) AS newer FROM deliveries WHERE channel_id = ?)
     WHERE newer > ? ORDER BY seq DESC LIMIT 1`,
  );
  const selectStats = db.prepare<[], { n: number; bytes: number }>(
    'SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS bytes FROM deliveries',
  );

  // The highest seq of each channel this connection appended to. This connection is the buffer's
  // only writer, so the cache stays true; it is updated only after a transaction commits.
  const lastSeqs = new Map<string, number>();
  const appendTx = db.transaction((batch: readonly NewDelivery[], next: Map<string, number>) => {
    const out: CapturedRequest[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const d = batch[i]!;
      let seq =
        next.get(d.channelId) ?? lastSeqs.get(d.channelId) ?? selectLastSeq.get(d.channelId)?.last_seq;
      if (seq === undefined) throw new AppError('channel_not_found', `No channel '${d.channelId}'.`);
      seq += 1;
      next.set(d.channelId, seq);
      insertDelivery.run(
        d.channelId,
        seq,
        d.id,
        d.receivedAt,
        d.body.byteLength,
        d.method,
        d.path,
        d.query,
        d.sourceIp ?? null,
        JSON.stringify(d.headers),
        d.body,
      );
      out[i] = { ...d, seq };
    }
    return out;
  });

  const cursorsTx = db.transaction((updates: readonly CursorUpdate[]) => {
    for (const u of updates) upsertCursor.run(u.channelId, u.subscriberId, u.ackedSeq);
  });

  const pruneTx = db.transaction((rules: PruneRules): PruneResult => {
    const channelIds: string[] = [];
    for (let id = selectNextChannel.get(''); id !== undefined; id = selectNextChannel.get(id)) {
      channelIds.push(id);
      // Deleting may remove a channel's newest delivery: keep its seq first.
      saveLastSeq.run(id, id);
    }
    let acked = 0;
    for (const row of selectMinCursors.all()) acked += deleteUpTo.run(row.channel_id, row.min_seq).changes;
    let retention = 0;
    for (const id of channelIds) {
      // Oldest first; received_at follows seq, so the walk stops at the first one to keep.
      let cut: number | undefined;
      for (const row of selectAges.iterate(id)) {
        if (row.received_at >= rules.olderThan) break;
        cut = row.seq;
      }
      if (cut !== undefined) retention += deleteUpTo.run(id, cut).changes;
    }
    let byteCap = 0;
    for (const { channel_id } of selectOverCap.all(rules.maxChannelBytes)) {
      const cut = selectCapCut.get(channel_id, rules.maxChannelBytes);
      if (cut) byteCap += deleteUpTo.run(channel_id, cut.seq).changes;
    }
    return { acked, retention, byteCap };
  });

  return {
    async createChannel(channel) {
      try {
        insertChannel.run(channel.id, channel.tokenHash, channel.responseMode, channel.createdAt);
      } catch (e: unknown) {
        if (e instanceof Error && 'code' in e && e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new AppError('name_taken', `A channel named '${channel.id}' already exists.`);
        }
        throw e;
      }
      return { ...channel, lastSeq: 0 };
    },
    async getChannel(id) {
      const row = selectChannel.get(id);
      return row && toChannel(row);
    },
    async append(batch) {
      const next = new Map<string, number>();
      const out = appendTx(batch, next);
      for (const [channelId, seq] of next) lastSeqs.set(channelId, seq);
      return out;
    },
    async readAfter(channelId, afterSeq, limit: ReadLimit) {
      const out: CapturedRequest[] = [];
      let bytes = 0;
      for (const row of selectAfter.iterate(channelId, afterSeq, limit.count)) {
        out.push(toRequest(row));
        bytes += row.bytes;
        if (bytes >= limit.bytes) break;
      }
      return out;
    },
    async getCursor(channelId: ChannelId, subscriberId: SubscriberId) {
      return selectCursor.get(channelId, subscriberId)?.acked_seq;
    },
    async saveCursors(updates) {
      if (updates.length > 0) cursorsTx(updates);
    },
    async prune(rules) {
      return pruneTx(rules);
    },
    async stats() {
      const row = selectStats.get();
      return { buffered: row?.n ?? 0, bytes: row?.bytes ?? 0 };
    },
    async close() {
      await checkpointer.stop();
      if (db.open) db.close();
    },
  };
}

function toChannel(row: ChannelRow): ChannelRecord {
  return {
    id: asChannelId(row.id),
    tokenHash: row.token_hash,
    responseMode: row.response_mode as ResponseMode,
    createdAt: row.created_at,
    lastSeq: row.last_seq,
  };
}

function toRequest(row: DeliveryRow): CapturedRequest {
  const request: CapturedRequest = {
    id: asRequestId(row.request_id),
    channelId: asChannelId(row.channel_id),
    seq: row.seq,
    method: row.method,
    path: row.path,
    query: row.query,
    headers: JSON.parse(row.headers) as RawHeaders,
    body: row.body,
    receivedAt: row.received_at,
  };
  if (row.source_ip !== null) request.sourceIp = row.source_ip;
  return request;
}
