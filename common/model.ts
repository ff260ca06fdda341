// Domain model shared by relay, engine and UI.
//
// Terminology:
//   channel  – one unique relay URL `…/h/<channelId>` with a secret subscriber token
//   request  – one captured inbound HTTP request: method, path suffix, query, raw header pairs, exact bytes
//   delivery – one request travelling relay → app, numbered by a per-channel `seq`
//   ack      – the app's word that a delivery is stored durably (cumulative: acks every seq ≤ n)
//   attempt  – one try at sending a request somewhere (forward, replay, workflow step), with its response
//   target   – where a forward or replay goes, e.g. http://localhost:3000/webhooks
import type { AttemptId, ChannelId, RequestId } from './ids';

/** Header pairs as they came on the wire: order, case and duplicates kept. */
export type RawHeaders = Array<[name: string, value: string]>;

export type ResponseMode = 'ack' | 'wait' | 'reject-offline';
export const RESPONSE_MODES: readonly ResponseMode[] = ['ack', 'wait', 'reject-offline'];

/** One inbound HTTP request exactly as the relay captured it. */
export interface CapturedRequest {
  id: RequestId;
  channelId: ChannelId;
  /** Per-channel delivery sequence number, from 1. */
  seq: number;
  method: string;
  /** Path suffix after `/h/<channelId>`: '' or '/…' (raw, still percent-encoded). */
  path: string;
  /** Raw query string without the leading '?', '' when none. */
  query: string;
  headers: RawHeaders;
  /** The exact body bytes. */
  body: Uint8Array;
  /** Milliseconds since the epoch, at the relay. */
  receivedAt: number;
  /** The sender's address as the relay saw it. */
  sourceIp?: string;
}

export type VerificationStatus = 'valid' | 'invalid' | 'unsigned' | 'no-secret';

export interface Verification {
  status: VerificationStatus;
  /** Provider whose scheme was checked, e.g. 'stripe'. */
  provider?: string;
  /** Why it is invalid, or which secret is needed for no-secret. */
  reason?: string;
}

/** A captured request as the app stores it, with what the engine learned about it. */
export interface StoredRequest extends CapturedRequest {
  provider?: string;
  eventType?: string;
  eventId?: string;
  verification?: Verification;
  pinned?: boolean;
  note?: string;
}

export type AttemptKind = 'forward' | 'replay' | 'workflow';

/** A failure a user should see, stored as data: `code` like 'ECONNREFUSED' or 'timeout'. */
export interface AttemptError {
  code: string;
  message: string;
}

/** One try at sending a request somewhere, with the response or the error. */
export interface Attempt {
  id: AttemptId;
  requestId: RequestId;
  kind: AttemptKind;
  /** The full URL that was requested. */
  url: string;
  method: string;
  requestHeaders: RawHeaders;
  /** Milliseconds since the epoch. */
  startedAt: number;
  durationMs: number;
  status?: number;
  responseHeaders?: RawHeaders;
  responseBody?: Uint8Array;
  /** True when the response body was cut at the cap. */
  responseTruncated?: boolean;
  error?: AttemptError;
}

/** First value of a header, case-insensitive; undefined when absent. */
export function headerValue(headers: RawHeaders, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [n, v] of headers) if (n.toLowerCase() === lower) return v;
  return undefined;
}

/** Flat `[n1, v1, n2, v2…]` (Node's rawHeaders) → pairs. */
export function pairsFromFlat(flat: readonly string[]): RawHeaders {
  const pairs: RawHeaders = [];
  for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
  return pairs;
}
