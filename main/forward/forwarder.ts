// Sends a request to a forward or replay target and records the outcome as an Attempt.
// undici's dispatcher rather than fetch: fetch merges duplicate headers, lower-cases names and may decode
// bodies, and a webhook's signature covers the exact bytes.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { asAttemptId } from '../../common/ids';
import type { AttemptId } from '../../common/ids';
import type { Attempt, AttemptKind, RawHeaders } from '../../common/model';
import { toAppError } from '../../common/errors';
import { exchange } from './http-exchange';
import {
  REWRITTEN_HEADERS,
  connectionTokens,
  endToEndHeaders,
  isHopByHop,
  overlayHeaders,
} from './outbound-request';
import type { OutboundRequest } from './outbound-request';
import { resolveTarget } from './target-url';
import type { ResolvedTarget } from './target-url';

export interface ForwarderOptions {
  /** Deadline per attempt, connect to last response byte, in milliseconds. Default 30000. */
  timeoutMs?: number;
  /** Response body bytes kept per attempt; beyond it the attempt is marked truncated. Default 1 MiB. */
  maxResponseBytes?: number;
  /** Clock for `startedAt`, milliseconds since the epoch. Durations use a monotonic clock. */
  now?: () => number;
  /** Sent as `User-Agent` only when the request carries none. */
  userAgent?: string;
  /** Concurrent sockets per target origin. Default 64. */
  maxSockets?: number;
  /** Check the target's TLS certificate. Default true; false for self-signed local dev servers. */
  rejectUnauthorized?: boolean;
  /** Id for each attempt. Default a random UUID. */
  newAttemptId?: () => AttemptId;
}

export interface SendOptions {
  kind: AttemptKind;
  /** Overrides the forwarder's deadline for this send, in milliseconds. */
  timeoutMs?: number;
  /**
   * Headers set over the request's: each replaces every same-named header at the first one's
   * position, or is appended (e.g. `X-Hookline-Replay`, fresh signature headers for a re-sign).
   */
  extraHeaders?: RawHeaders;
  /** Cancels the send; the attempt then records error code 'aborted'. */
  signal?: AbortSignal;
  /**
   * Called when the request has been written to the socket, before its answer: lets a caller start the
   * next request to the same target while keeping the order in which targets receive them.
   */
  onSent?: () => void;
}

export interface Forwarder {
  /** Sends `req` to `target` (a base URL, see joinTargetUrl). Never rejects for a target failure. */
  send(req: OutboundRequest, target: string, opts?: SendOptions): Promise<Attempt>;
  /** Closes the kept-alive sockets; sends still under way end with an error. */
  close(): void;
}

/** Methods whose empty requests carry no `content-length: 0` (RFC 9110 §8.6), as undici writes them. */
const BODYLESS_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'CONNECT',
]);

/** Creates a forwarder with a kept-alive connection pool per target origin. */
export function createForwarder(options: ForwarderOptions = {}): Forwarder {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
  const now = options.now ?? Date.now;
  const newAttemptId = options.newAttemptId ?? (() => asAttemptId(randomUUID()));
  const dispatcher = new Agent({
    connections: options.maxSockets ?? 64,
    connect: { rejectUnauthorized: options.rejectUnauthorized ?? true },
  });

  async function send(req: OutboundRequest, target: string, opts?: SendOptions): Promise<Attempt> {
    const startedAt = now();
    const t0 = performance.now();
    const base = {
      id: newAttemptId(),
      requestId: req.id,
      kind: opts?.kind ?? 'forward',
      method: req.method,
      startedAt,
    };
    let resolved: ResolvedTarget;
    try {
      resolved = resolveTarget(target, req.path, req.query);
    } catch (e: unknown) {
      const err = toAppError(e);
      return {
        ...base,
        url: target,
        requestHeaders: [],
        durationMs: 0,
        error: { code: 'invalid_target', message: err.message },
      };
    }
    const headers = outboundHeaders(req, resolved.host, opts?.extraHeaders ?? [], options.userAgent);
    const deadline = opts?.timeoutMs ?? timeoutMs;
    const input = {
      target: resolved,
      method: req.method,
      headers,
      body: req.body,
      dispatcher,
      maxResponseBytes,
    };
    let result = await exchange({
      ...input,
      timeoutMs: deadline,
      signal: opts?.signal,
      onSent: opts?.onSent,
    });
    const left = deadline - (performance.now() - t0);
    if (result.error?.code === 'ECONNRESET' && result.status === undefined && left > 0) {
      // A reset before any answer is most often a kept-alive socket the target closed as idle just as we
      // wrote: one more try on a fresh one. If that gets no answer either, the first error is the story.
      const again = await exchange({ ...input, timeoutMs: left, signal: opts?.signal });
      if (again.status !== undefined) result = again;
    }
    return { ...base, url: resolved.url, requestHeaders: headers, durationMs: elapsed(t0), ...result };
  }

  return {
    send,
    close() {
      dispatcher.destroy().catch(() => undefined);
    },
  };
}

/**
 * The header pairs that go to the target, as the client writes them: `host` (the target's) first, then
 * the request's own pairs in order with hop-by-hop ones and `Expect` dropped (the relay already took
 * the whole body), `extra` laid over them, then `content-length` with the exact body length — left out
 * for an empty GET, HEAD, DELETE, OPTIONS or TRACE.
 */
export function outboundHeaders(
  req: Pick<OutboundRequest, 'method' | 'headers' | 'body'>,
  host: string,
  extra: RawHeaders,
  userAgent?: string,
): RawHeaders {
  const tokens = connectionTokens(req.headers);
  const out: RawHeaders = [['host', host]];
  for (const pair of req.headers) {
    const lower = pair[0].toLowerCase();
    if (!REWRITTEN_HEADERS.has(lower) && lower !== 'expect' && !isHopByHop(lower, tokens)) out.push(pair);
  }
  if (userAgent && !out.some(([n]) => n.toLowerCase() === 'user-agent')) out.push(['User-Agent', userAgent]);
  // Extras may not undo the framing: their Host, Content-Length, Expect and hop-by-hop headers are ignored.
  const headers = overlayHeaders(
    out,
    endToEndHeaders(extra).filter(([n]) => n.toLowerCase() !== 'expect'),
  );
  if (req.body.length > 0 || !BODYLESS_METHODS.has(req.method.toUpperCase()))
    headers.push(['content-length', String(req.body.length)]);
  return headers;
}

/** Milliseconds since `t0` (a performance.now() reading), to the microsecond. */
function elapsed(t0: number): number {
  return Math.round((performance.now() - t0) * 1000) / 1000;
}
