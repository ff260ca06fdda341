// One HTTP request/response over node:http(s), with the failure modes a webhook target has
// (refused, reset, hanging, too big) turned into data instead of exceptions.
import http from 'node:http';
import https from 'node:https';
import type { AttemptError, RawHeaders } from '../../common/model';
import { pairsFromFlat } from '../../common/model';
import type { ResolvedTarget } from './target-url';

export interface ExchangeInput {
  target: ResolvedTarget;
  method: string;
  /** Sent exactly as given: order, case and duplicates. Must already carry Host and Content-Length. */
  headers: RawHeaders;
  body: Uint8Array;
  agent: http.Agent;
  /** Deadline for the whole exchange, connect to last response byte, in milliseconds. */
  timeoutMs: number;
  /** Response body bytes kept; the rest is not read. */
  maxResponseBytes: number;
  signal?: AbortSignal;
  /** Called once the request's last byte is handed to the OS ('finish'). */
  onSent?: () => void;
}

export interface ExchangeResult {
  status?: number;
  responseHeaders?: RawHeaders;
  responseBody?: Uint8Array;
  responseTruncated?: boolean;
  error?: AttemptError;
  /** True when the request went out on a kept-alive socket (a reset there may be a stale socket). */
  reusedSocket: boolean;
}

/** Sends one request and collects the response; resolves with an error as data, never rejects. */
export function exchange(input: ExchangeInput): Promise<ExchangeResult> {
  const { target } = input;
  return new Promise((resolve) => {
    const result: ExchangeResult = { reusedSocket: false };
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;

    const finish = (error?: AttemptError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      input.signal?.removeEventListener('abort', onAbort);
      result.reusedSocket = clientReq.reusedSocket;
      if (result.status !== undefined) result.responseBody = new Uint8Array(Buffer.concat(chunks, size));
      if (error) result.error = error;
      resolve(result);
    };
    const onAbort = (): void => {
      finish({ code: 'aborted', message: 'The send was cancelled.' });
      clientReq.destroy();
    };

    const mod = target.protocol === 'https:' ? https : http;
    let clientReq: http.ClientRequest;
    try {
      clientReq = mod.request({
        hostname: target.hostname,
        port: target.port,
        method: input.method,
        path: target.pathAndQuery,
        // A flat [name, value, …] array goes on the wire as is; an object would merge duplicates.
        headers: input.headers.flat(),
        agent: input.agent,
      });
    } catch (e: unknown) {
      // Node validates the method, path and header characters synchronously.
      settled = true;
      resolve({ reusedSocket: false, error: toAttemptError(e, target) });
      return;
    }

    clientReq.on('error', (e: unknown) => finish(toAttemptError(e, target)));
    if (input.onSent) clientReq.once('finish', input.onSent);
    clientReq.on('response', (res) => {
      result.status = res.statusCode ?? 0;
      result.responseHeaders = pairsFromFlat(res.rawHeaders);
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = input.maxResponseBytes - size;
        if (chunk.length > room) {
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size += Math.max(room, 0);
          result.responseTruncated = true;
          finish();
          // The rest is unwanted: dropping the socket is cheaper than draining an unbounded body.
          res.destroy();
          clientReq.destroy();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => finish());
      res.on('error', (e: unknown) => finish(toAttemptError(e, target)));
      res.on('close', () => {
        if (!res.complete) {
          finish({
            code: 'ECONNRESET',
            message: 'The target closed the connection before the response was complete.',
          });
        }
      });
    });

    // Declared after the handlers that clear it; they only run on later ticks.
    const timer = setTimeout(() => {
      finish({
        code: 'timeout',
        message: `No complete response from ${target.host} within ${input.timeoutMs} ms.`,
      });
      clientReq.destroy();
    }, input.timeoutMs);
    if (input.signal?.aborted) return onAbort();
    input.signal?.addEventListener('abort', onAbort, { once: true });

    clientReq.end(Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength));
  });
}

/** A Node network error as a readable, stable attempt error. */
export function toAttemptError(e: unknown, target: Pick<ResolvedTarget, 'host' | 'hostname'>): AttemptError {
  const code = errorCode(e);
  const detail = e instanceof Error && e.message ? e.message : code;
  switch (code) {
    case 'ECONNREFUSED':
      return { code, message: `Connection refused by ${target.host}: is the target running?` };
    case 'ECONNRESET':
      return { code, message: `The target ${target.host} reset the connection (${detail}).` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code, message: `The host name ${target.hostname} could not be resolved (${code}).` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { code, message: `${target.host} is unreachable from this machine (${code}).` };
    case 'ETIMEDOUT':
      return { code, message: `Connecting to ${target.host} timed out.` };
    case 'EPIPE':
      return { code, message: `The target ${target.host} closed the connection while the request was sent.` };
    default:
      if (code.startsWith('HPE_'))
        return { code, message: `The target sent a malformed HTTP response (${detail}).` };
      if (code.includes('CERT') || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) {
        return { code, message: `TLS with ${target.host} failed: ${detail}` };
      }
      return { code, message: detail };
  }
}

/** `err.code`, looking inside the AggregateError Node's happy-eyeballs connect throws (it may lack one). */
function errorCode(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    if (e instanceof AggregateError) {
      for (const inner of e.errors) {
        const innerCode = errorCode(inner);
        if (innerCode !== 'error') return innerCode;
      }
    }
  }
  return 'error';
}
