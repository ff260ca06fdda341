// Sends a request to a forward or replay target and records the outcome as an Attempt.
// node:http rather than fetch: fetch merges duplicate headers, lower-cases names and may decode bodies,
// and a webhook's signature covers the exact bytes.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { asAttemptId } from '../../common/ids';
import type { AttemptId } from '../../common/ids';
import type { Attempt, AttemptKind, RawHeaders } from '../../common/model';
import { toAppError } from '../../common/errors';
import { exchange } from './http-exchange';
import { connectionTokens, endToEndHeaders, isHopByHop, overlayHeaders } from './outbound-request';
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
  /** Closes the kept-alive sockets. */
  close(): void;
}

/** Methods that carry no body unless they say so: no `Content-Length: 0` is invented for them. */
const BODYLESS_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'CONNECT',
]);

/** Creates a forwarder with kept-alive connection pools, one for http and one for https. */
export function createForwarder(options: ForwarderOptions = {}): Forwarder {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
  const now = options.now ?? Date.now;
  const newAttemptId = options.newAttemptId ?? (() => asAttemptId(randomUUID()));
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, scheduling: 'lifo' as const };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent({
    ...agentOptions,
    rejectUnauthorized: options.rejectUnauthorized ?? true,
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
    const agent = resolved.protocol === 'https:' ? httpsAgent : httpAgent;
    const input = { target: resolved, method: req.method, headers, body: req.body, agent, maxResponseBytes };
    let result = await exchange({
      ...input,
      timeoutMs: deadline,
      signal: opts?.signal,
      onSent: opts?.onSent,
    });
    const left = deadline - (performance.now() - t0);
    if (
      result.error?.code === 'ECONNRESET' &&
      result.reusedSocket &&
      result.status === undefined &&
      left > 0
    ) {
      // A reset with no response on a reused socket almost always means the target closed it as idle
      // while we wrote; one fresh try is the pattern Node's docs give for `reusedSocket`.
      result = await exchange({ ...input, timeoutMs: left, signal: opts?.signal });
    }
    const { reusedSocket: _reused, ...outcome } = result;
    return { ...base, url: resolved.url, requestHeaders: headers, durationMs: elapsed(t0), ...outcome };
  }

  return {
    send,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/**
 * The header pairs that go to the target, in the request's order: hop-by-hop ones dropped,
 * `Host` set to the target at the original `Host`'s position (first when there was none),
 * `Content-Length` set to the exact body length at the original's position (appended when there was
 * none; left out for a bodyless GET/HEAD/DELETE/OPTIONS that never had one), then `extra` laid over.
 */
export function outboundHeaders(
  req: Pick<OutboundRequest, 'method' | 'headers' | 'body'>,
  host: string,
  extra: RawHeaders,
  userAgent?: string,
): RawHeaders {
  const tokens = connectionTokens(req.headers);
  const hadLength = req.headers.some(([n]) => /^(content-length|transfer-encoding)$/i.test(n));
  const needsLength = req.body.length > 0 || hadLength || !BODYLESS_METHODS.has(req.method.toUpperCase());
  const length = String(req.body.length);
  const out: RawHeaders = [];
  let hostPlaced = false;
  let lengthPlaced = false;
  for (const [name, value] of req.headers) {
    const lower = name.toLowerCase();
    if (lower === 'host') {
      if (!hostPlaced) out.push([name, host]);
      hostPlaced = true;
    } else if (lower === 'content-length') {
      if (!lengthPlaced && needsLength) out.push([name, length]);
      lengthPlaced = true;
    } else if (!isHopByHop(name, tokens)) out.push([name, value]);
  }
  if (!hostPlaced) out.unshift(['Host', host]);
  if (!lengthPlaced && needsLength) out.push(['Content-Length', length]);
  if (userAgent && !out.some(([n]) => n.toLowerCase() === 'user-agent')) out.push(['User-Agent', userAgent]);
  // Extras may not undo the framing: their Host, Content-Length and hop-by-hop headers are ignored.
  return overlayHeaders(out, endToEndHeaders(extra));
}

/** Milliseconds since `t0` (a performance.now() reading), to the microsecond. */
function elapsed(t0: number): number {
  return Math.round((performance.now() - t0) * 1000) / 1000;
}
