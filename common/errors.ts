// One catalogue of error codes. Each boundary translates an AppError:
// HTTP → {"error":{"code","message"}} with `status`; WebSocket → close code + reason; CLI → one line.

export const ERRORS = {
  bad_request: { status: 400, close: 4000, summary: 'The request is malformed.' },
  bad_message: {
    status: 400,
    close: 4000,
    summary: 'A WebSocket message could not be parsed or is not allowed here.',
  },
  unauthorized: { status: 401, close: 4001, summary: 'A token is missing or wrong.' },
  forbidden: { status: 403, close: 4003, summary: 'The caller may not do this.' },
  not_found: { status: 404, close: 4004, summary: 'No such resource.' },
  channel_not_found: { status: 404, close: 4004, summary: 'No channel has this id.' },
  request_not_found: { status: 404, close: 4004, summary: 'No stored request has this id.' },
  name_taken: { status: 409, close: 4009, summary: 'A channel with this name already exists.' },
  payload_too_large: { status: 413, close: 1009, summary: 'The body is over the size limit.' },
  headers_too_large: { status: 431, close: 4000, summary: 'Too many headers, or headers too large.' },
  rate_limited: { status: 429, close: 4029, summary: 'Too many requests; retry after the given delay.' },
  unsupported_version: { status: 400, close: 4005, summary: 'The peer speaks another protocol version.' },
  handshake_timeout: { status: 408, close: 4008, summary: 'No hello arrived in time.' },
  request_timeout: { status: 408, close: 4008, summary: 'The sender was too slow.' },
  subscriber_offline: { status: 503, close: 4003, summary: 'No subscriber is connected to this channel.' },
  upstream_timeout: { status: 504, close: 4008, summary: 'The app did not answer in time.' },
  shutting_down: { status: 503, close: 1001, summary: 'The server is shutting down.' },
  storage_error: { status: 500, close: 1011, summary: 'The store could not write or read.' },
  config_error: { status: 500, close: 1011, summary: 'The configuration file is invalid.' },
  target_error: { status: 502, close: 1011, summary: 'The forward target failed.' },
  relay_unreachable: { status: 502, close: 1011, summary: 'The relay could not be reached.' },
  internal: { status: 500, close: 1011, summary: 'An unexpected error.' },
} as const satisfies Record<string, { status: number; close: number; summary: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Extra fields for the error body, e.g. `{ retryAfter: 3 }` (seconds). */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    if (details) this.details = details;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  get closeCode(): number {
    return ERRORS[this.code].close;
  }

  toJSON(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; [extra: string]: unknown };
}

export function isErrorCode(s: unknown): s is ErrorCode {
  return typeof s === 'string' && Object.hasOwn(ERRORS, s);
}

/** Turns anything thrown into an AppError, keeping AppErrors as they are. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new AppError('internal', message);
}

/** A WebSocket close reason must fit in 123 bytes (RFC 6455 §5.5: control frame payload ≤ 125, minus the code). */
export function closeReason(message: string): string {
  const bytes = new TextEncoder().encode(message);
  if (bytes.length <= 123) return message;
  let cut = message.slice(0, 120);
  while (new TextEncoder().encode(cut + '…').length > 123) cut = cut.slice(0, -1);
  return cut + '…';
}
