// How requests and attempts look in the terminal and in NDJSON.
import type { Attempt, StoredRequest } from '../../common/model';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Body bytes for JSON output: the text when it is valid UTF-8, else base64, with the encoding named. */
export function bodyJson(body: Uint8Array): { body: string; bodyEncoding: 'utf8' | 'base64' } {
  try {
    return { body: utf8.decode(body), bodyEncoding: 'utf8' };
  } catch {
    return {
      body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'),
      bodyEncoding: 'base64',
    };
  }
}

export function requestJson(r: StoredRequest): Record<string, unknown> {
  const { body, ...rest } = r;
  return { ...rest, bodySize: body.length, ...bodyJson(body) };
}

export function attemptJson(a: Attempt): Record<string, unknown> {
  const { responseBody, ...rest } = a;
  return responseBody ? { ...rest, ...renameBody(bodyJson(responseBody)) } : rest;
}

function renameBody(b: { body: string; bodyEncoding: string }) {
  return { responseBody: b.body, responseBodyEncoding: b.bodyEncoding };
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

const MARK: Record<string, string> = {
  valid: '✓ signed',
  invalid: '✗ bad signature',
  'no-secret': '? no secret',
  unsigned: '',
};

/** One terminal line: time, method, path, size, forward status and duration, provider and signature. */
export function formatRequestLine(r: StoredRequest, attempt?: Attempt): string {
  const path = (r.path || '/') + (r.query ? `?${r.query}` : '');
  const parts = [clock(r.receivedAt), r.method.padEnd(6), path, formatSize(r.body.length)];
  if (attempt) parts.push(formatAttempt(attempt));
  if (r.provider) parts.push(r.eventType ? `${r.provider} ${r.eventType}` : r.provider);
  const mark = r.verification ? MARK[r.verification.status] : '';
  if (mark) parts.push(mark);
  return parts.join('  ');
}

export function formatAttempt(a: Attempt): string {
  const what = a.status !== undefined ? String(a.status) : (a.error?.code ?? 'failed');
  return `→ ${what} ${Math.round(a.durationMs)} ms`;
}
