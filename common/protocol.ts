// The relay ⇄ app WebSocket protocol, versioned.
//
// Control messages are JSON text frames with a `type` tag. Messages that carry body bytes
// (`delivery` from the relay, `response` from the app) are binary frames:
//
//   [u32 big-endian: byte length of the JSON head][JSON head, UTF-8][body bytes]
//
// so bodies travel as the exact bytes captured, never re-serialised. Every message is parsed and
// validated once, here; a malformed one raises AppError('bad_message'), which the socket edge
// turns into close code 4000 with the reason.
//
// Flow: app → hello; relay → welcome (or an error + close); relay → delivery…; app → ack (cumulative);
// in `wait` mode app → response for a request. The relay pings (WebSocket ping frames) every
// `heartbeatMs`; the app treats silence past twice that as a dead connection.
import { AppError, isErrorCode, type ErrorCode } from './errors';
import { CHANNEL_ID_PATTERN, asChannelId, asRequestId, asSubscriberId } from './ids';
import type { ChannelId, RequestId, SubscriberId } from './ids';
import { RESPONSE_MODES, type CapturedRequest, type RawHeaders, type ResponseMode } from './model';

export const PROTOCOL_VERSION = 1;

// ---- app → relay ----

export interface HelloMessage {
  type: 'hello';
  protocolVersion: number;
  subscriberId: SubscriberId;
  /** The highest seq the app already holds durably; the relay resends everything after it. */
  lastSeq: number;
  /** The channel token, when not sent as `Authorization: Bearer`. */
  token?: string;
}

/** Cumulative: the app has stored every delivery with seq ≤ `seq`. */
export interface AckMessage {
  type: 'ack';
  seq: number;
}

/** The app's answer for a request held in `wait` mode (or a challenge answer). */
export interface ResponseMessage {
  type: 'response';
  requestId: RequestId;
  status: number;
  headers: RawHeaders;
  body: Uint8Array;
}

export type ClientMessage = HelloMessage | AckMessage | ResponseMessage;

// ---- relay → app ----

export interface WelcomeMessage {
  type: 'welcome';
  protocolVersion: number;
  channelId: ChannelId;
  subscriberId: SubscriberId;
  responseMode: ResponseMode;
  /** Deliveries will start after this seq. */
  resumeFrom: number;
  /** Interval of the relay's ping frames, in ms. */
  heartbeatMs: number;
}

export interface DeliveryMessage {
  type: 'delivery';
  seq: number;
  request: CapturedRequest;
}

/** Sent just before the relay closes the socket for a reason the app should show. */
export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
}

export type RelayMessage = WelcomeMessage | DeliveryMessage | ErrorMessage;

// ---- encoding ----

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes a head object and body bytes as one binary frame. */
export function encodeFrame(head: object, body: Uint8Array): Uint8Array {
  const headBytes = encoder.encode(JSON.stringify(head));
  const out = new Uint8Array(4 + headBytes.length + body.length);
  new DataView(out.buffer).setUint32(0, headBytes.length);
  out.set(headBytes, 4);
  out.set(body, 4 + headBytes.length);
  return out;
}

/** Splits a binary frame into its parsed head and a view of its body (no copy). */
export function decodeFrame(frame: Uint8Array): { head: Record<string, unknown>; body: Uint8Array } {
  if (frame.length < 4) throw bad('binary frame shorter than its length prefix');
  const headLength = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
  if (4 + headLength > frame.length) throw bad('binary frame head length exceeds the frame');
  const head = parseJson(frame.subarray(4, 4 + headLength));
  return { head: asObject(head, 'frame head'), body: frame.subarray(4 + headLength) };
}

export function encodeClientMessage(msg: ClientMessage): string | Uint8Array {
  if (msg.type === 'response') {
    const { body, ...head } = msg;
    return encodeFrame(head, body);
  }
  return JSON.stringify(msg);
}

export function encodeRelayMessage(msg: RelayMessage): string | Uint8Array {
  if (msg.type === 'delivery') {
    const { body, ...request } = msg.request;
    return encodeFrame({ type: 'delivery', seq: msg.seq, request }, body);
  }
  return JSON.stringify(msg);
}

// ---- parsing (the socket edge) ----

/** Parses one frame from the app. Throws AppError('bad_message') with a precise reason. */
export function parseClientMessage(data: Uint8Array | string, isBinary: boolean): ClientMessage {
  if (isBinary) {
    const { head, body } = decodeFrame(toBytes(data));
    if (head.type !== 'response') throw bad(`binary frames carry 'response' messages, got ${str(head.type)}`);
    return {
      type: 'response',
      requestId: asRequestId(reqString(head, 'requestId')),
      status: reqStatus(head),
      headers: reqHeaders(head, 'headers'),
      body,
    };
  }
  const msg = asObject(parseJson(data), 'message');
  switch (msg.type) {
    case 'hello': {
      const hello: HelloMessage = {
        type: 'hello',
        protocolVersion: reqInt(msg, 'protocolVersion'),
        subscriberId: asSubscriberId(reqPattern(msg, 'subscriberId', /^[A-Za-z0-9_.:-]{1,128}$/)),
        lastSeq: reqInt(msg, 'lastSeq'),
      };
      if (msg.token !== undefined) hello.token = reqString(msg, 'token');
      return hello;
    }
    case 'ack':
      return { type: 'ack', seq: reqInt(msg, 'seq') };
    case 'response':
      throw bad("'response' messages travel as binary frames");
    default:
      throw bad(`unknown message type ${str(msg.type)}`);
  }
}

/** Parses one frame from the relay. Throws AppError('bad_message') with a precise reason. */
export function parseRelayMessage(data: Uint8Array | string, isBinary: boolean): RelayMessage {
  if (isBinary) {
    const { head, body } = decodeFrame(toBytes(data));
    if (head.type !== 'delivery') throw bad(`binary frames carry 'delivery' messages, got ${str(head.type)}`);
    const r = asObject(head.request, 'request');
    const request: CapturedRequest = {
      id: asRequestId(reqString(r, 'id')),
      channelId: asChannelId(reqPattern(r, 'channelId', CHANNEL_ID_PATTERN)),
      seq: reqInt(r, 'seq'),
      method: reqString(r, 'method'),
      path: reqString(r, 'path'),
      query: reqString(r, 'query'),
      headers: reqHeaders(r, 'headers'),
      body,
      receivedAt: reqInt(r, 'receivedAt'),
    };
    if (r.sourceIp !== undefined) request.sourceIp = reqString(r, 'sourceIp');
    return { type: 'delivery', seq: reqInt(head, 'seq'), request };
  }
  const msg = asObject(parseJson(data), 'message');
  switch (msg.type) {
    case 'welcome': {
      const mode = msg.responseMode;
      if (!RESPONSE_MODES.includes(mode as ResponseMode)) throw bad(`unknown responseMode ${str(mode)}`);
      return {
        type: 'welcome',
        protocolVersion: reqInt(msg, 'protocolVersion'),
        channelId: asChannelId(reqPattern(msg, 'channelId', CHANNEL_ID_PATTERN)),
        subscriberId: asSubscriberId(reqString(msg, 'subscriberId')),
        responseMode: mode as ResponseMode,
        resumeFrom: reqInt(msg, 'resumeFrom'),
        heartbeatMs: reqInt(msg, 'heartbeatMs'),
      };
    }
    case 'error': {
      const code = msg.code;
      return {
        type: 'error',
        code: isErrorCode(code) ? code : 'internal',
        message: reqString(msg, 'message'),
      };
    }
    default:
      throw bad(`unknown message type ${str(msg.type)}`);
  }
}

// ---- helpers ----

function bad(message: string): AppError {
  return new AppError('bad_message', message);
}

function str(v: unknown): string {
  return typeof v === 'string' ? `'${v.slice(0, 40)}'` : String(v);
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

function parseJson(data: Uint8Array | string): unknown {
  try {
    return JSON.parse(typeof data === 'string' ? data : decoder.decode(data));
  } catch {
    throw bad('not valid JSON');
  }
}

function asObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

function reqString(o: Record<string, unknown>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw bad(`'${key}' must be a string`);
  return v;
}

function reqPattern(o: Record<string, unknown>, key: string, pattern: RegExp): string {
  const v = reqString(o, key);
  if (!pattern.test(v)) throw bad(`'${key}' has an invalid format`);
  return v;
}

function reqInt(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw bad(`'${key}' must be a non-negative integer`);
  return v;
}

function reqStatus(o: Record<string, unknown>): number {
  const v = reqInt(o, 'status');
  if (v < 100 || v > 599) throw bad(`'status' must be an HTTP status (100–599)`);
  return v;
}

function reqHeaders(o: Record<string, unknown>, key: string): RawHeaders {
  const v = o[key];
  if (!Array.isArray(v)) throw bad(`'${key}' must be a list of [name, value] pairs`);
  for (const pair of v) {
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      typeof pair[0] !== 'string' ||
      typeof pair[1] !== 'string'
    ) {
      throw bad(`'${key}' must be a list of [name, value] string pairs`);
    }
  }
  return v as RawHeaders;
}
