// Row ⇄ model conversions for the event store. Bodies go in as Buffers viewing the caller's bytes (no copy)
// and come out as plain Uint8Arrays viewing SQLite's copy; header pairs are JSON text.
import { asAttemptId, asChannelId, asRequestId } from '../../common/ids';
import type {
  Attempt,
  RawHeaders,
  StoredRequest,
  Verification,
  VerificationStatus,
} from '../../common/model';
import type { RequestSummary } from './store-types';

/** The columns of `requests` a summary needs: no body, no headers. */
export const SUMMARY_COLUMNS = `r.rid, r.id, r.channel_id, r.seq, r.method, r.path, r.query, r.received_at, r.body_size,
  r.content_type, r.source_ip, r.provider, r.event_type, r.event_id, r.verification_status,
  r.verification_provider, r.verification_reason, r.pinned, r.note, r.attempt_count, r.last_attempt_at,
  r.last_attempt_status, r.last_attempt_duration_ms, r.last_attempt_error`;

/** The columns of `attempts AS a` an Attempt needs, with its request's id from `requests AS r`. */
export const ATTEMPT_COLUMNS = `a.id, r.id AS request_id, a.kind, a.url, a.method, a.request_headers,
  a.started_at, a.duration_ms, a.status, a.response_headers, a.response_body, a.response_truncated,
  a.error_code, a.error_message`;

export interface SummaryRow {
  rid: number;
  id: string;
  channel_id: string;
  seq: number;
  method: string;
  path: string;
  query: string;
  received_at: number;
  body_size: number;
  content_type: string | null;
  source_ip: string | null;
  provider: string | null;
  event_type: string | null;
  event_id: string | null;
  verification_status: string | null;
  verification_provider: string | null;
  verification_reason: string | null;
  pinned: number;
  note: string | null;
  attempt_count: number;
  last_attempt_at: number | null;
  last_attempt_status: number | null;
  last_attempt_duration_ms: number | null;
  last_attempt_error: string | null;
}

export interface RequestRow extends SummaryRow {
  headers: string;
  body: Buffer;
}

export interface AttemptRow {
  id: string;
  request_id: string;
  kind: string;
  url: string;
  method: string;
  request_headers: string;
  started_at: number;
  duration_ms: number;
  status: number | null;
  response_headers: string | null;
  response_body: Buffer | null;
  response_truncated: number;
  error_code: string | null;
  error_message: string | null;
}

/** A Buffer over the same memory, for binding as a BLOB (better-sqlite3 binds Buffers, not Uint8Arrays). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function asBytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function verificationOf(row: SummaryRow): Verification | undefined {
  if (row.verification_status === null) return undefined;
  const v: Verification = { status: row.verification_status as VerificationStatus };
  if (row.verification_provider !== null) v.provider = row.verification_provider;
  if (row.verification_reason !== null) v.reason = row.verification_reason;
  return v;
}

/** Optional fields shared by summaries and full requests, set only when present. */
function optionals(row: SummaryRow): Partial<RequestSummary> {
  const o: Partial<RequestSummary> = {};
  if (row.source_ip !== null) o.sourceIp = row.source_ip;
  if (row.provider !== null) o.provider = row.provider;
  if (row.event_type !== null) o.eventType = row.event_type;
  if (row.event_id !== null) o.eventId = row.event_id;
  const verification = verificationOf(row);
  if (verification) o.verification = verification;
  if (row.note !== null) o.note = row.note;
  return o;
}

export function toSummary(row: SummaryRow): RequestSummary {
  const s: RequestSummary = {
    id: asRequestId(row.id),
    channelId: asChannelId(row.channel_id),
    seq: row.seq,
    method: row.method,
    path: row.path,
    query: row.query,
    receivedAt: row.received_at,
    bodySize: row.body_size,
    pinned: row.pinned === 1,
    attemptCount: row.attempt_count,
    ...optionals(row),
  };
  if (row.content_type !== null) s.contentType = row.content_type;
  if (row.last_attempt_at !== null) {
    s.lastAttempt = { at: row.last_attempt_at, durationMs: row.last_attempt_duration_ms ?? 0 };
    if (row.last_attempt_status !== null) s.lastAttempt.status = row.last_attempt_status;
    if (row.last_attempt_error !== null) s.lastAttempt.errorCode = row.last_attempt_error;
  }
  return s;
}

export function toStoredRequest(row: RequestRow): StoredRequest {
  const r: StoredRequest = {
    id: asRequestId(row.id),
    channelId: asChannelId(row.channel_id),
    seq: row.seq,
    method: row.method,
    path: row.path,
    query: row.query,
    headers: JSON.parse(row.headers) as RawHeaders,
    body: asBytes(row.body),
    receivedAt: row.received_at,
    ...optionals(row),
  };
  if (row.pinned === 1) r.pinned = true;
  return r;
}

/** Parameters of the attempts insert, in order (positional binds cost less than named ones). */
export function attemptParams(a: Attempt): unknown[] {
  return [
    a.id,
    a.kind,
    a.url,
    a.method,
    JSON.stringify(a.requestHeaders),
    a.startedAt,
    a.durationMs,
    a.status ?? null,
    a.responseHeaders ? JSON.stringify(a.responseHeaders) : null,
    a.responseBody ? asBuffer(a.responseBody) : null,
    a.responseTruncated ? 1 : 0,
    a.error?.code ?? null,
    a.error?.message ?? null,
    a.requestId,
  ];
}

export function toAttempt(row: AttemptRow): Attempt {
  const a: Attempt = {
    id: asAttemptId(row.id),
    requestId: asRequestId(row.request_id),
    kind: row.kind as Attempt['kind'],
    url: row.url,
    method: row.method,
    requestHeaders: JSON.parse(row.request_headers) as RawHeaders,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
  };
  if (row.status !== null) a.status = row.status;
  if (row.response_headers !== null) a.responseHeaders = JSON.parse(row.response_headers) as RawHeaders;
  if (row.response_body !== null) a.responseBody = asBytes(row.response_body);
  if (row.response_truncated === 1) a.responseTruncated = true;
  if (row.error_code !== null) a.error = { code: row.error_code, message: row.error_message ?? '' };
  return a;
}
