// The capture path, `ANY /h/:id[/suffix][?query]`. It runs on Node's raw request, before
// express, so nothing parses, decodes or re-encodes the bytes: the method, the path suffix and
// query exactly as sent, the header pairs from rawHeaders (case, order, duplicates), and the body
// as read from the stream. A capture is durable (group commit) before the sender is answered.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, toAppError } from '../../common/errors';
import { CHANNEL_ID_PATTERN, asChannelId, type RequestId } from '../../common/ids';
import { pairsFromFlat } from '../../common/model';
import type { ResponseMessage } from '../../common/protocol';
import type { ChannelDirectory } from '../channel-directory';
import { newRequestId } from '../channel-secrets';
import { sendError } from '../http/http-errors';
import type { RelayMetrics } from '../metrics';
import type { RateLimiter } from '../rate-limiter';
import type { GroupCommitter } from './group-commit';
import { looksLikeHandshake } from './handshake-detect';
import { readBody } from './read-body';
import type { WaitOutcome, WaitRegistry } from './wait-registry';

export interface IngestContext {
  channels: ChannelDirectory;
  committer: GroupCommitter;
  waits: WaitRegistry;
  metrics: RelayMetrics;
  channelLimiter: RateLimiter;
  ipLimiter: RateLimiter;
  /** Largest body, in bytes. */
  maxBody: number;
  /** Most header lines a capture may have; more are refused (431), never silently cut. */
  maxHeaderCount: number;
  /** How long wait-mode senders are held, in ms (for the 504 message). */
  waitTimeoutMs: number;
  subscriberCount(channelId: string): number;
  /** True once close() began: new captures get 503 shutting_down. */
  isClosing(): boolean;
  now(): number;
  /** Called when a capture starts and when it is answered, so a graceful shutdown can wait. */
  captureStarted(): void;
  captureEnded(): void;
}

/**
 * How long a sender that looks like a provider handshake is held for the app's answer on a channel not in
 * `wait` mode, in ms: under Zoom's 3 s deadline. With no answer it gets the usual `ack` reply.
 */
const HANDSHAKE_HOLD_MS = 2_500;

/** Seconds a `reject-offline` sender is told to wait before retrying. */
const OFFLINE_RETRY_AFTER_SEC = 10;

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are not relayed from the
// app's answer; Content-Length is recomputed by Node from the body we actually send.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
  'content-length',
]);

export function createIngestHandler(ctx: IngestContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => void capture(ctx, req, res);
}

/** One capture, answered whatever happens; counted in the metrics once answered. */
async function capture(ctx: IngestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  ctx.captureStarted();
  try {
    await ingest(ctx, req, res);
  } catch (e: unknown) {
    fail(req, res, toAppError(e));
  } finally {
    ctx.metrics.request(res.statusCode);
    ctx.metrics.ingestLatency(performance.now() - started);
    ctx.captureEnded();
  }
}

async function ingest(ctx: IngestContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (ctx.isClosing()) throw new AppError('shutting_down', 'The relay is shutting down; retry shortly.');
  const url = req.url ?? '/';
  const { id, path, query } = splitCaptureUrl(url);
  const ip = req.socket.remoteAddress ?? 'unknown';
  limit(ctx.ipLimiter.take(ip), 'this address');
  const channel =
    ctx.channels.cached(id) ??
    (CHANNEL_ID_PATTERN.test(id) ? await ctx.channels.get(asChannelId(id)) : undefined);
  if (!channel) throw new AppError('channel_not_found', `No channel '${id.slice(0, 64)}' on this relay.`);
  limit(ctx.channelLimiter.take(channel.id), 'this channel');
  if (channel.responseMode === 'reject-offline' && ctx.subscriberCount(channel.id) === 0) {
    throw new AppError('subscriber_offline', 'No subscriber is connected to this channel; retry later.', {
      retryAfter: OFFLINE_RETRY_AFTER_SEC,
    });
  }

  if (req.rawHeaders.length / 2 > ctx.maxHeaderCount) {
    throw new AppError(
      'headers_too_large',
      `More than ${ctx.maxHeaderCount} header lines; nothing was stored.`,
    );
  }
  const body = await readBody(req, ctx.maxBody);
  const receivedAt = ctx.now();
  const requestId = newRequestId(receivedAt);
  const method = req.method ?? 'GET';
  const headers = pairsFromFlat(req.rawHeaders);
  const handshake =
    channel.responseMode !== 'wait' &&
    ctx.subscriberCount(channel.id) > 0 &&
    looksLikeHandshake(method, query, headers, body);
  const waiting =
    channel.responseMode === 'wait'
      ? ctx.waits.hold(requestId, channel.id)
      : handshake
        ? ctx.waits.hold(requestId, channel.id, HANDSHAKE_HOLD_MS)
        : undefined;
  try {
    await ctx.committer.commit({
      id: requestId,
      channelId: channel.id,
      method,
      path,
      query,
      headers,
      body,
      receivedAt,
      sourceIp: ip,
    });
  } catch (e: unknown) {
    ctx.waits.cancel(requestId);
    const error = toAppError(e);
    throw error.code === 'internal'
      ? new AppError('storage_error', `Could not store the request: ${error.message}`)
      : error;
  }
  ctx.metrics.bytes += body.byteLength;
  if (!waiting) return sendAccepted(res, requestId);
  const outcome = await waiting;
  if (handshake && outcome.kind !== 'response') return sendAccepted(res, requestId);
  answerWaiting(ctx, res, requestId, outcome);
}

/** '/h/<id>/a/b?x=1' → id, '/a/b', 'x=1' — all still percent-encoded, as sent. */
export function splitCaptureUrl(url: string): { id: string; path: string; query: string } {
  const q = url.indexOf('?');
  const pathPart = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  const rest = pathPart.slice('/h/'.length);
  const slash = rest.indexOf('/');
  return slash === -1
    ? { id: rest, path: '', query }
    : { id: rest.slice(0, slash), path: rest.slice(slash), query };
}

function limit(result: ReturnType<RateLimiter['take']>, what: string): void {
  if (!result.ok) {
    throw new AppError(
      'rate_limited',
      `Too many requests for ${what}; retry after ${result.retryAfterSec} s.`,
      {
        retryAfter: result.retryAfterSec,
      },
    );
  }
}

/** Header pairs of every `ack` answer except its length, as a flat list Node writes without a lookup. */
const ACCEPTED_HEADERS = ['Content-Type', 'application/json', 'Content-Length'];

function sendAccepted(res: ServerResponse, id: RequestId): void {
  // The id is base64url, so plain concatenation is valid JSON and skips a stringify per request.
  const body = `{"ok":true,"id":"${id}"}`;
  res.writeHead(200, [...ACCEPTED_HEADERS, String(body.length)]);
  res.end(body);
}

function answerWaiting(ctx: IngestContext, res: ServerResponse, id: RequestId, outcome: WaitOutcome): void {
  switch (outcome.kind) {
    case 'response':
      return relayResponse(res, outcome.response);
    case 'timeout':
      return sendError(
        res,
        new AppError(
          'upstream_timeout',
          `The app did not answer within ${ctx.waitTimeoutMs} ms. The request was stored as ${id} and will still be delivered.`,
          { id },
        ),
      );
    case 'shutdown':
      return sendError(
        res,
        new AppError('shutting_down', `The relay is shutting down. The request was stored as ${id}.`, { id }),
      );
    default: {
      const never: never = outcome;
      throw new Error(`unhandled wait outcome ${String(never)}`);
    }
  }
}

/** Sends the app's answer as given: status, header pairs (case, order, duplicates), exact body. */
function relayResponse(res: ServerResponse, response: ResponseMessage): void {
  if (response.status < 200) {
    sendError(
      res,
      new AppError('target_error', `The app answered with status ${response.status}, not a final one.`),
    );
    return;
  }
  const flat: string[] = [];
  for (const [name, value] of response.headers) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) flat.push(name, value);
  }
  // A length instead of chunked encoding; 204 and 304 carry none (RFC 9110 §8.6).
  if (response.status !== 204 && response.status !== 304)
    flat.push('Content-Length', String(response.body.byteLength));
  try {
    res.writeHead(response.status, flat);
  } catch (e: unknown) {
    sendError(
      res,
      new AppError('target_error', `The app's answer has an invalid header: ${toAppError(e).message}`),
    );
    return;
  }
  res.end(response.body);
}

function fail(req: IncomingMessage, res: ServerResponse, error: AppError): void {
  if (error.code === 'payload_too_large' || error.code === 'shutting_down' || !req.complete) {
    // The rest of the body is unread: close after answering instead of reading it to keep the
    // connection, so an oversized upload costs nothing more.
    if (!res.headersSent) res.setHeader('connection', 'close');
  }
  sendError(res, error);
}
