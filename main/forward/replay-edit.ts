// Edit-and-replay: a JSON edit file (from `hookline replay ID --edit FILE` or the UI's editor) applied
// to a stored request. The edit is validated once here, so a typo gets a clear message, not a bad send.
import { AppError } from '../../common/errors';
import type { RawHeaders } from '../../common/model';
import type { OutboundRequest } from './outbound-request';
import { overlayHeaders } from './outbound-request';

/**
 * An edit file. Every field is optional; what is absent stays as captured.
 * - `method`: an HTTP token, e.g. "PUT" (kept as written; methods are case-sensitive).
 * - `path`: the path suffix, '' or starting with '/', raw (percent-encode it yourself); no '?' or '#'.
 * - `query`: a raw query string ('?' optional), or an object `{ name: value | [values] }` encoded
 *   as application/x-www-form-urlencoded. Replaces the whole query.
 * - `headers`: an array of `[name, value]` pairs replaces the whole list, in that order; an object
 *   patches it: each name replaces every same-named header at the first one's position (appended
 *   when new), an array value sets several, `null` removes the header.
 * - `body` (UTF-8 text), `bodyBase64` (exact bytes) or `bodyJson` (any JSON value, serialised
 *   compactly; adds `Content-Type: application/json` when the request has no Content-Type).
 *   At most one of the three.
 */
export interface ReplayEdit {
  method?: string;
  path?: string;
  query?: string | Record<string, string | string[]>;
  headers?: RawHeaders | Record<string, string | string[] | null>;
  body?: string;
  bodyBase64?: string;
  bodyJson?: unknown;
}

/** The header a replay carries so the target can tell it from the original delivery. */
export const REPLAY_HEADER = 'X-Hookline-Replay';

const EDIT_FIELDS = ['method', 'path', 'query', 'headers', 'body', 'bodyBase64', 'bodyJson'];
/** RFC 9110 §5.6.2 token: method and header names. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What node:http accepts in a header value: no CR, LF, NUL or other controls but tab. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** A path may not contain what ends the request target or breaks the request line. */
const PATH = /^(\/[^\s?#]*)?$/;

/**
 * Returns `request` with `edit` applied; the id stays the original's.
 * @throws AppError('bad_request') naming the field when the edit is malformed.
 */
export function applyEdit(request: OutboundRequest, edit: unknown): OutboundRequest {
  const e = parseReplayEdit(edit);
  let headers: RawHeaders = request.headers.map(([n, v]) => [n, v]);
  if (e.headers !== undefined) headers = editHeaders(headers, e.headers);
  let body = request.body;
  if (e.body !== undefined) body = new Uint8Array(Buffer.from(e.body, 'utf8'));
  if (e.bodyBase64 !== undefined) body = new Uint8Array(Buffer.from(e.bodyBase64, 'base64'));
  if (e.bodyJson !== undefined) {
    body = new Uint8Array(Buffer.from(JSON.stringify(e.bodyJson), 'utf8'));
    if (!headers.some(([n]) => n.toLowerCase() === 'content-type'))
      headers.push(['Content-Type', 'application/json']);
  }
  return {
    id: request.id,
    method: e.method ?? request.method,
    path: e.path ?? request.path,
    query: e.query === undefined ? request.query : editQuery(e.query),
    headers,
    body,
  };
}

/** Sets `X-Hookline-Replay: <original request id>`, replacing one a replayed replay already had. */
export function replayHeaders(req: OutboundRequest): OutboundRequest {
  return { ...req, headers: overlayHeaders(req.headers, [[REPLAY_HEADER, req.id]]) };
}

/** Checks an edit file's JSON. @throws AppError('bad_request') naming the first bad field. */
export function parseReplayEdit(json: unknown): ReplayEdit {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw bad('the edit must be a JSON object, e.g. {"method":"PUT","bodyJson":{…}}');
  }
  const edit = json as Record<string, unknown>;
  for (const key of Object.keys(edit)) {
    if (!EDIT_FIELDS.includes(key)) throw bad(`unknown field "${key}" (allowed: ${EDIT_FIELDS.join(', ')})`);
  }
  const { method, path, query, headers, body, bodyBase64, bodyJson } = edit;
  if (method !== undefined && (typeof method !== 'string' || !TOKEN.test(method))) {
    throw bad(`"method" must be an HTTP method name like "POST", got ${JSON.stringify(method)}`);
  }
  if (path !== undefined && (typeof path !== 'string' || !PATH.test(path))) {
    throw bad(
      `"path" must be '' or start with '/', without spaces, '?' or '#' (use "query"), got ${JSON.stringify(path)}`,
    );
  }
  if (query !== undefined) checkQuery(query);
  if (headers !== undefined) checkHeaders(headers);
  const bodies = [body, bodyBase64, bodyJson].filter((b) => b !== undefined).length;
  if (bodies > 1) throw bad('give at most one of "body", "bodyBase64" and "bodyJson"');
  if (body !== undefined && typeof body !== 'string') throw bad('"body" must be a string (UTF-8 text)');
  if (bodyBase64 !== undefined) {
    if (typeof bodyBase64 !== 'string' || !isBase64(bodyBase64))
      throw bad('"bodyBase64" must be standard base64');
  }
  return edit as ReplayEdit;
}

function checkQuery(query: unknown): void {
  if (typeof query === 'string') {
    if (/[\s#]/.test(query)) throw bad('"query" must not contain spaces or "#" (percent-encode them)');
    return;
  }
  if (typeof query !== 'object' || query === null || Array.isArray(query)) {
    throw bad('"query" must be a string or an object of strings');
  }
  for (const [k, v] of Object.entries(query)) {
    const ok = typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
    if (!ok) throw bad(`"query.${k}" must be a string or an array of strings`);
  }
}

function checkHeaders(headers: unknown): void {
  const checkPair = (name: unknown, value: unknown, where: string): void => {
    if (typeof name !== 'string' || !TOKEN.test(name))
      throw bad(`${where}: ${JSON.stringify(name)} is not a header name`);
    if (typeof value !== 'string' || !HEADER_VALUE.test(value)) {
      throw bad(`${where}: the value of ${name} must be a string without line breaks or control characters`);
    }
  };
  if (Array.isArray(headers)) {
    headers.forEach((pair: unknown, i) => {
      if (!Array.isArray(pair) || pair.length !== 2)
        throw bad(`"headers[${i}]" must be a [name, value] pair`);
      checkPair(pair[0], pair[1], `"headers[${i}]"`);
    });
    return;
  }
  if (typeof headers !== 'object' || headers === null)
    throw bad('"headers" must be an object or an array of [name, value]');
  for (const [name, value] of Object.entries(headers)) {
    if (value === null) checkPair(name, '', `"headers.${name}"`);
    else if (Array.isArray(value)) value.forEach((v: unknown) => checkPair(name, v, `"headers.${name}"`));
    else checkPair(name, value, `"headers.${name}"`);
  }
}

function editHeaders(current: RawHeaders, edit: NonNullable<ReplayEdit['headers']>): RawHeaders {
  if (Array.isArray(edit)) return edit.map(([n, v]) => [n, v]);
  const removed = new Set<string>();
  const set: RawHeaders = [];
  for (const [name, value] of Object.entries(edit)) {
    if (value === null) removed.add(name.toLowerCase());
    else for (const v of Array.isArray(value) ? value : [value]) set.push([name, v]);
  }
  return overlayHeaders(
    current.filter(([n]) => !removed.has(n.toLowerCase())),
    set,
  );
}

function editQuery(query: NonNullable<ReplayEdit['query']>): string {
  if (typeof query === 'string') return query.replace(/^\?/, '');
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
  return params.toString();
}

function isBase64(s: string): boolean {
  const compact = s.replace(/\s+/g, '');
  return compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact);
}

function bad(message: string): AppError {
  return new AppError('bad_request', `Replay edit: ${message}.`);
}
