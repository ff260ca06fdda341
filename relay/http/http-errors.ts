// The HTTP boundary for errors: every failure leaves as {"error":{"code","message"}} with the
// catalogue's status, whether it comes from express, the raw capture path or Node's HTTP parser.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, ERRORS, toAppError, type ErrorCode } from '../../common/errors';

/** Writes an AppError as JSON; adds Retry-After when the error carries `retryAfter` (seconds). */
export function sendError(res: ServerResponse, error: AppError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(error.toJSON());
  const headers: Record<string, string | number> = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  };
  const retryAfter = error.details?.retryAfter;
  if (typeof retryAfter === 'number') headers['retry-after'] = retryAfter;
  res.writeHead(error.status, headers);
  res.end(body);
}

/** Express error middleware: body-parser and route errors become the JSON error shape. */
export const errorMiddleware: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  sendError(res, fromExpressError(err));
};

/** Unknown routes → 404 JSON. */
export const notFoundHandler: RequestHandler = (req, res) => {
  sendError(res, new AppError('not_found', `No route for ${req.method} ${req.path}.`));
};

function fromExpressError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  // body-parser's errors carry `type` and `status`: translate the ones a client can cause.
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.too.large') return new AppError('payload_too_large', 'The JSON body is too large.');
  if (e.type === 'entity.parse.failed') return new AppError('bad_request', 'The body is not valid JSON.');
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500)
    return new AppError('bad_request', e.message ?? 'Bad request.');
  return toAppError(err);
}

/**
 * Node's `clientError`: the parser refused a request before any handler saw it (headers too large,
 * a slow sender past headersTimeout/requestTimeout, garbage). Answer JSON when the socket is still
 * writable, then close it.
 */
export function onClientError(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || (err.code === 'ECONNRESET' && socket.destroyed)) {
    socket.destroy();
    return;
  }
  let code: ErrorCode = 'bad_request';
  let message = 'The request could not be parsed.';
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    code = 'headers_too_large';
    message = 'The request headers are too large or too many.';
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'HPE_HEADERS_TIMEOUT') {
    code = 'request_timeout';
    message = 'The sender took too long to send the request.';
  }
  const body = JSON.stringify(new AppError(code, message).toJSON());
  const status = ERRORS[code].status;
  socket.end(
    `HTTP/1.1 ${status} ${statusText(status)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function statusText(status: number): string {
  return (
    { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status] ?? 'Error'
  );
}
