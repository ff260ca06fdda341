// One HTTP request/response over undici's dispatcher, with the failure modes a webhook target has
// (refused, reset, hanging, too big) turned into data instead of exceptions.
//
// undici rather than node:http: it writes a request's head and body in one go and parses answers with
// llhttp in WebAssembly, which halves the CPU a forward costs both here and at the target (measured in
// `npm run bench`). It keeps header order, case and duplicates; only `host` (written first) and
// `content-length` (written last) are laid out by undici itself, in lower case.
import type { Dispatcher } from 'undici';
import type { AttemptError, RawHeaders } from '../../common/model';
import type { ResolvedTarget } from './target-url';

export interface ExchangeInput {
  target: ResolvedTarget;
  method: string;
  /** Header pairs in order. `host` and `content-length` are taken out and written by undici. */
  headers: RawHeaders;
  body: Uint8Array;
  dispatcher: Dispatcher;
  /** Deadline for the whole exchange, connect to last response byte, in milliseconds. */
  timeoutMs: number;
  /** Response body bytes kept; the rest is not read. */
  maxResponseBytes: number;
  signal?: AbortSignal | undefined;
  /** Called once the request's last byte is handed to the OS. */
  onSent?: (() => void) | undefined;
}

export interface ExchangeResult {
  status?: number;
  responseHeaders?: RawHeaders;
  responseBody?: Uint8Array;
  responseTruncated?: boolean;
  error?: AttemptError;
}

/** Sends one request and collects the response; resolves with an error as data, never rejects. */
export function exchange(input: ExchangeInput): Promise<ExchangeResult> {
  const { target } = input;
  return new Promise((resolve) => {
    const result: ExchangeResult = {};
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    let abortRequest: ((reason?: Error) => void) | undefined;
    let sent = false;

    const finish = (error?: AttemptError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      input.signal?.removeEventListener('abort', onAbort);
      if (!sent) markSent();
      if (result.status !== undefined) result.responseBody = new Uint8Array(Buffer.concat(chunks, size));
      if (error) result.error = error;
      resolve(result);
    };
    const markSent = (): void => {
      sent = true;
      input.onSent?.();
    };
    /** Settles with `error`, then tears the request (and its socket) down. */
    const stop = (error?: AttemptError): void => {
      finish(error);
      abortRequest?.(new Error('stopped by the forwarder'));
    };
    const onAbort = (): void => stop({ code: 'aborted', message: 'The send was cancelled.' });

    // onRequestSent is called by undici 6 (lib/core/request.js) though its typings leave it out.
    const handler: Dispatcher.DispatchHandlers & { onRequestSent: () => void } = {
      onConnect: (abort) => {
        abortRequest = abort;
        if (settled) abort();
      },
      onRequestSent: () => {
        if (!sent) markSent();
      },
      onHeaders: (statusCode, rawHeaders) => {
        if (settled) return false;
        result.status = statusCode;
        result.responseHeaders = pairsFromBuffers(rawHeaders);
        return true;
      },
      onData: (chunk) => {
        if (settled) return false;
        const room = input.maxResponseBytes - size;
        if (chunk.length > room) {
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size += Math.max(room, 0);
          result.responseTruncated = true;
          // The rest is unwanted: dropping the socket is cheaper than draining an unbounded body.
          stop();
          return false;
        }
        chunks.push(chunk);
        size += chunk.length;
        return true;
      },
      onComplete: () => finish(),
      onError: (e: Error) => finish(toAttemptError(e, target)),
    };

    // Declared before dispatch, which may call onError synchronously for a bad header or method.
    const timer = setTimeout(
      () =>
        stop({
          code: 'timeout',
          message: `No complete response from ${target.host} within ${input.timeoutMs} ms.`,
        }),
      input.timeoutMs,
    );
    if (input.signal?.aborted) return onAbort();
    input.signal?.addEventListener('abort', onAbort, { once: true });

    try {
      input.dispatcher.dispatch(
        {
          origin: target.origin,
          path: target.pathAndQuery,
          // Any token method goes out as written (WebDAV's PROPFIND, …); undici checks the characters.
          method: input.method as Dispatcher.HttpMethod,
          // A flat [name, value, …] array goes on the wire as is; an object would merge duplicates.
          headers: input.headers.flat(),
          body: Buffer.from(input.body.buffer, input.body.byteOffset, input.body.byteLength),
          // The deadline above covers connect to last byte; undici's own timers would only add work.
          headersTimeout: 0,
          bodyTimeout: 0,
        },
        handler,
      );
    } catch (e: unknown) {
      finish(toAttemptError(e, target));
    }
  });
}

/** undici's raw response headers ([name, value, …] as Buffers) as pairs, case and duplicates kept. */
function pairsFromBuffers(raw: Buffer[] | string[] | null): RawHeaders {
  const pairs: RawHeaders = [];
  if (!raw) return pairs;
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([String(raw[i]), String(raw[i + 1])]);
  return pairs;
}

/** A network or protocol error as a readable, stable attempt error. */
export function toAttemptError(e: unknown, target: Pick<ResolvedTarget, 'host' | 'hostname'>): AttemptError {
  const code = errorCode(e);
  const detail = e instanceof Error && e.message ? e.message : code;
  switch (code) {
    case 'ECONNREFUSED':
      return { code, message: `Connection refused by ${target.host}: is the target running?` };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return { code: 'ECONNRESET', message: `The target ${target.host} reset the connection (${detail}).` };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code, message: `The host name ${target.hostname} could not be resolved (${code}).` };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { code, message: `${target.host} is unreachable from this machine (${code}).` };
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { code: 'ETIMEDOUT', message: `Connecting to ${target.host} timed out.` };
    case 'EPIPE':
      return { code, message: `The target ${target.host} closed the connection while the request was sent.` };
    case 'UND_ERR_INVALID_ARG':
    case 'UND_ERR_NOT_SUPPORTED':
      return { code: 'invalid_request', message: `The request cannot be sent as it is: ${detail}.` };
    default:
      if (code.startsWith('HPE_'))
        return { code, message: `The target sent a malformed HTTP response (${detail}).` };
      if (code.includes('CERT') || code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL')) {
        return { code, message: `TLS with ${target.host} failed: ${detail}` };
      }
      return { code, message: detail };
  }
}

/** `err.code`, looking inside the AggregateError a happy-eyeballs connect throws (it may lack one). */
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
