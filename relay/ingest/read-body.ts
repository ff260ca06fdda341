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
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        chunks.length = 0;
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (chunks.length === 0) resolve(EMPTY);
      else if (chunks.length === 1) resolve(chunks[0]!);
      else resolve(Buffer.concat(chunks, size));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onAborted = () => {
      cleanup();
      reject(new AppError('bad_request', 'The sender closed the connection before the body ended.'));
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `The body is over the relay's limit of ${maxBytes} bytes.`, {
    limit: maxBytes,
  });
}
