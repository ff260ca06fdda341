// Reads a request body as the exact bytes sent: chunks are kept as they arrive and concatenated
// once, so a 25 MB body costs 25 MB (plus the chunks until the copy), never a string or a re-encode.
import type { IncomingMessage } from 'node:http';
import { AppError } from '../../common/errors';

const EMPTY = Buffer.alloc(0);

/**
 * Resolves with the body; rejects with AppError('payload_too_large') as soon as more than
 * `maxBytes` arrived (or the declared Content-Length says so), and stops reading.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    (req as Reading)[READING] = { chunks: [], size: 0, maxBytes, resolve, reject };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

// The listeners are shared module functions (`this` is the request) and the state rides on the
// request, so reading a body allocates no closures: this runs once per capture.
const READING = Symbol('hookline.readBody');

interface BodyReading {
  chunks: Buffer[];
  size: number;
  maxBytes: number;
  resolve(body: Buffer): void;
  reject(e: unknown): void;
}

type Reading = IncomingMessage & { [READING]?: BodyReading };

function onData(this: Reading, chunk: Buffer): void {
  const r = this[READING];
  if (!r) return;
  r.size += chunk.length;
  if (r.size > r.maxBytes) {
    finish(this).reject(tooLarge(r.maxBytes));
    return;
  }
  r.chunks.push(chunk);
}

function onEnd(this: Reading): void {
  const r = finish(this);
  const { chunks } = r;
  if (chunks.length === 0) r.resolve(EMPTY);
  else if (chunks.length === 1) r.resolve(chunks[0]!);
  else r.resolve(Buffer.concat(chunks, r.size));
}

function onError(this: Reading, e: Error): void {
  finish(this).reject(e);
}

function onAborted(this: Reading): void {
  finish(this).reject(new AppError('bad_request', 'The sender closed the connection before the body ended.'));
}

/** Stops listening and hands back the state (the caller settles the promise exactly once). */
function finish(req: Reading): BodyReading {
  const r = req[READING]!;
  req[READING] = undefined;
  req.off('data', onData);
  req.off('end', onEnd);
  req.off('error', onError);
  req.off('aborted', onAborted);
  return r;
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `The body is over the relay's limit of ${maxBytes} bytes.`, {
    limit: maxBytes,
  });
}
