// The relay's durable buffer, as an interface so a Redis Streams store can stand beside SQLite
// (DESIGN.md, scale-out). Every method is async for that reason; the SQLite store answers at once.
import type { ChannelId, RequestId, SubscriberId } from '../../common/ids';
import type { CapturedRequest, RawHeaders, ResponseMode } from '../../common/model';

export interface ChannelRecord {
  id: ChannelId;
  /** SHA-256 of the subscriber token; the token itself is never stored. */
  tokenHash: Uint8Array;
  responseMode: ResponseMode;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** Highest seq ever assigned on this channel (0 when none); survives pruning. */
  lastSeq: number;
}

/** A captured request before the store numbers it. */
export interface NewDelivery {
  id: RequestId;
  channelId: ChannelId;
  method: string;
  path: string;
  query: string;
  headers: RawHeaders;
  body: Uint8Array;
  receivedAt: number;
  sourceIp?: string;
}

export interface CursorUpdate {
  channelId: ChannelId;
  subscriberId: SubscriberId;
  /** Every delivery with seq ≤ ackedSeq is stored by the subscriber. */
  ackedSeq: number;
}

export interface PruneRules {
  /** Drop deliveries received before this instant, in ms since the epoch. */
  olderThan: number;
  /** Keep at most this many body bytes per channel, dropping the oldest. */
  maxChannelBytes: number;
}

export interface PruneResult {
  /** Deleted because every known subscriber acked them (not a loss). */
  acked: number;
  /** Dropped unacked because of retention. */
  retention: number;
  /** Dropped unacked because the channel was over its byte cap. */
  byteCap: number;
}

export interface ReadLimit {
  count: number;
  /** Stop after this many body bytes (at least one delivery is always returned). */
  bytes: number;
}

export interface DeliveryStore {
  /** Creates a channel; throws AppError('name_taken') when the id exists. */
  createChannel(channel: Omit<ChannelRecord, 'lastSeq'>): Promise<ChannelRecord>;
  getChannel(id: ChannelId): Promise<ChannelRecord | undefined>;
  /**
   * Stores a batch in one durable write and numbers each delivery with the next seq of its channel,
   * in batch order. When the promise resolves, every delivery survives a crash of the process.
   */
  append(batch: readonly NewDelivery[]): Promise<CapturedRequest[]>;
  /** Buffered deliveries of a channel with seq > afterSeq, in seq order. */
  readAfter(channelId: ChannelId, afterSeq: number, limit: ReadLimit): Promise<CapturedRequest[]>;
  getCursor(channelId: ChannelId, subscriberId: SubscriberId): Promise<number | undefined>;
  /** Saves many cursors in one write; a later update for the same subscriber wins. */
  saveCursors(updates: readonly CursorUpdate[]): Promise<void>;
  prune(rules: PruneRules): Promise<PruneResult>;
  /** How many deliveries and body bytes are buffered across channels. */
  stats(): Promise<{ buffered: number; bytes: number }>;
  close(): Promise<void>;
}
