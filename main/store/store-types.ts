// The event store's public shapes, apart from the implementation so the API layer, the CLI and the UI
// client can import them without pulling in better-sqlite3.
import type { ChannelId, RequestId } from '../../common/ids';
import type { Attempt, StoredRequest, Verification } from '../../common/model';

/** The latest attempt of a request, as shown in the list. */
export interface AttemptSummary {
  /** Milliseconds since the epoch. */
  at: number;
  /** HTTP status of the response; absent when the attempt failed before one arrived. */
  status?: number;
  durationMs: number;
  /** The attempt's error code (e.g. 'ECONNREFUSED', 'timeout') when it failed. */
  errorCode?: string;
}

/** One row of the request list: everything but the body and headers. */
export interface RequestSummary {
  id: RequestId;
  channelId: ChannelId;
  seq: number;
  method: string;
  path: string;
  query: string;
  /** Milliseconds since the epoch, at the relay. */
  receivedAt: number;
  /** Body length in bytes. */
  bodySize: number;
  contentType?: string;
  sourceIp?: string;
  provider?: string;
  eventType?: string;
  eventId?: string;
  verification?: Verification;
  pinned: boolean;
  note?: string;
  attemptCount: number;
  lastAttempt?: AttemptSummary;
}

export interface ListRequestsOptions {
  channelId?: string;
  /** Page size, 1–1000; default 50. */
  limit?: number;
  /** The `next` cursor of the previous page. */
  before?: string;
  /** An expression in the filter language (see request-filter.ts). */
  filter?: string;
}

export interface RequestPage {
  items: RequestSummary[];
  /** Cursor for the next (older) page; absent on the last page. */
  next?: string;
}

/** Fields the engine learns after storing a request. `null` clears a field; `undefined` leaves it. */
export interface RequestPatch {
  provider?: string | null;
  eventType?: string | null;
  eventId?: string | null;
  verification?: Verification | null;
  pinned?: boolean;
  note?: string | null;
}

/** Retention limits; each is optional and they combine. Pinned requests are never deleted. */
export interface RetentionLimits {
  /** Keep at most this many requests (pinned ones count but stay). */
  maxCount?: number;
  /** Keep at most this many body bytes in total (pinned ones count but stay). */
  maxBytes?: number;
  /** Delete requests received longer ago than this, in ms. */
  maxAgeMs?: number;
}

export interface EventStore {
  /** The database file. */
  readonly file: string;
  /**
   * Stores a batch in one transaction, ignoring ids already stored (at-least-once delivery), and raises
   * each channel's cursor to the batch's highest seq. Returns the ids that were new, in batch order.
   */
  insertRequests(requests: readonly StoredRequest[]): RequestId[];
  /** The highest seq stored for the channel; 0 when none. */
  lastSeq(channelId: string): number;
  getRequest(id: string): StoredRequest | undefined;
  /** Newest first, keyset-paginated. Throws AppError('bad_request') for a bad filter or cursor. */
  listRequests(options?: ListRequestsOptions): RequestPage;
  /** All requests, or those matching a filter expression. */
  countRequests(filter?: string): number;
  /** Newest requests whose body contains `text` (words or a phrase), via the full-text index. */
  searchBodies(text: string, limit?: number): RequestSummary[];
  /** Throws AppError('request_not_found') when no request has this id. */
  updateRequest(id: string, patch: RequestPatch): void;
  /** Throws AppError('request_not_found') when the request is not stored (or was deleted by retention). */
  insertAttempt(attempt: Attempt): void;
  /** Stores attempts in one transaction, skipping any whose request is gone; returns how many were stored. */
  insertAttempts(attempts: readonly Attempt[]): number;
  /** Oldest first. */
  listAttempts(requestId: string): Attempt[];
  /** The newest attempt of each given request that has one. */
  latestAttempts(requestIds: readonly string[]): Map<RequestId, Attempt>;
  /** Deletes the oldest unpinned requests (and their attempts) over any limit. */
  applyRetention(limits: RetentionLimits): { deleted: number };
  close(): void;
}
