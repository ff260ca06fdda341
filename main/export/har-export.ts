// Export as HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), the format browser devtools,
// Charles, Insomnia and Postman import. Each captured request is one entry; its response is the
// latest attempt's (forward or replay), or a status-0 placeholder when it was never sent anywhere.
import { createRequire } from 'node:module';
import { STATUS_CODES } from 'node:http';
import type { Attempt, RawHeaders, StoredRequest } from '../../common/model';
import { headerValue } from '../../common/model';
import { joinTargetUrl } from '../forward/target-url';
import type {
  Har,
  HarContent,
  HarCookie,
  HarEntry,
  HarNameValue,
  HarPostData,
  HarResponse,
} from './har-types';

export type { Har } from './har-types';

/** A stored request with the attempts made with it, newest last or in any order. */
export type ExportableRequest = StoredRequest & { attempts?: Attempt[] };

export interface HarOptions {
  /**
   * Where the request was sent: the relay's public URL (`https://relay.example.com`, the entry URL is
   * then `…/h/<channelId><path>?<query>`), or a function giving a request's channel URL.
   */
  baseUrl: string | ((req: StoredRequest) => string);
  /** `log.creator.version`. Default: Hookline's package.json version. */
  version?: string;
}

/** Builds a HAR 1.2 log of `requests`, in the order given. */
export function toHar(requests: ExportableRequest[], options: HarOptions): Har {
  return {
    log: {
      version: '1.2',
      creator: { name: 'Hookline', version: options.version ?? packageVersion() },
      entries: requests.map((r) => toEntry(r, options)),
    },
  };
}

function toEntry(req: ExportableRequest, options: HarOptions): HarEntry {
  const channelUrl =
    typeof options.baseUrl === 'string'
      ? `${options.baseUrl.replace(/\/+$/, '')}/h/${encodeURIComponent(req.channelId)}`
      : options.baseUrl(req);
  const attempt = latestAttempt(req.attempts ?? []);
  const wait = attempt?.durationMs ?? 0;
  const entry: HarEntry = {
    startedDateTime: new Date(req.receivedAt).toISOString(),
    time: wait,
    request: {
      method: req.method,
      url: joinTargetUrl(channelUrl, req.path, req.query),
      httpVersion: 'HTTP/1.1',
      cookies: requestCookies(req.headers),
      headers: nameValues(req.headers),
      queryString: queryPairs(req.query),
      headersSize: -1,
      bodySize: req.body.length,
    },
    response: attempt ? toResponse(attempt) : placeholderResponse('Never forwarded or replayed.'),
    cache: {},
    // Only the whole round trip is measured, so it all counts as waiting for the target.
    timings: { send: 0, wait, receive: 0 },
    _requestId: req.id,
    _channelId: req.channelId,
  };
  if (req.body.length > 0) entry.request.postData = postData(req.headers, req.body);
  if (req.sourceIp) entry._sourceIp = req.sourceIp;
  if (attempt) entry._target = attempt.url;
  return entry;
}

function latestAttempt(attempts: Attempt[]): Attempt | undefined {
  let latest: Attempt | undefined;
  for (const a of attempts) if (!latest || a.startedAt >= latest.startedAt) latest = a;
  return latest;
}

function toResponse(a: Attempt): HarResponse {
  if (a.status === undefined) {
    const response = placeholderResponse(a.error ? `${a.error.code}: ${a.error.message}` : 'No response.');
    if (a.error) response._error = `${a.error.code}: ${a.error.message}`;
    return response;
  }
  const headers = a.responseHeaders ?? [];
  const body = a.responseBody ?? new Uint8Array();
  const content: HarContent = {
    size: body.length,
    mimeType: headerValue(headers, 'content-type') ?? 'x-unknown',
  };
  if (body.length > 0) Object.assign(content, encodeText(body));
  if (a.responseTruncated) content.comment = `Truncated: only the first ${body.length} bytes were kept.`;
  const response: HarResponse = {
    status: a.status,
    statusText: STATUS_CODES[a.status] ?? '',
    httpVersion: 'HTTP/1.1',
    cookies: responseCookies(headers),
    headers: nameValues(headers),
    content,
    redirectURL: headerValue(headers, 'location') ?? '',
    headersSize: -1,
    bodySize: a.responseTruncated ? -1 : body.length,
  };
  if (a.error) response._error = `${a.error.code}: ${a.error.message}`;
  return response;
}

/** HAR's way to say "no response" (as browsers write a blocked or failed request): status 0. */
function placeholderResponse(comment: string): HarResponse {
  return {
    status: 0,
    statusText: '',
    httpVersion: '',
    cookies: [],
    headers: [],
    content: { size: 0, mimeType: 'x-unknown' },
    redirectURL: '',
    headersSize: -1,
    bodySize: -1,
    comment,
  };
}

function postData(headers: RawHeaders, body: Uint8Array): HarPostData {
  const mimeType = headerValue(headers, 'content-type') ?? 'application/octet-stream';
  const encoded = encodeText(body);
  const data: HarPostData = { mimeType, text: encoded.text, params: [] };
  // HAR 1.2 has no `encoding` on postData; a comment plus a custom field say how to read `text`.
  if (encoded.encoding) {
    data.comment = 'The body is not valid UTF-8: text holds it base64-encoded.';
    data._encoding = 'base64';
  } else if (/^application\/x-www-form-urlencoded\b/i.test(mimeType)) {
    data.params = queryPairs(encoded.text);
  }
  return data;
}

/** UTF-8 text when the bytes are valid UTF-8, else base64 with `encoding: 'base64'`. */
function encodeText(bytes: Uint8Array): { text: string; encoding?: 'base64' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    return { text: Buffer.from(bytes).toString('base64'), encoding: 'base64' };
  }
}

function nameValues(headers: RawHeaders): HarNameValue[] {
  return headers.map(([name, value]) => ({ name, value }));
}

/** Query (or form) pairs, decoded; a malformed escape is kept as written. */
function queryPairs(query: string): HarNameValue[] {
  if (query === '') return [];
  return query.split('&').map((part) => {
    const eq = part.indexOf('=');
    const [name, value] = eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    return { name: decode(name), value: decode(value) };
  });
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function requestCookies(headers: RawHeaders): HarCookie[] {
  const cookies: HarCookie[] = [];
  for (const [n, v] of headers) {
    if (n.toLowerCase() !== 'cookie') continue;
    for (const part of v.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0) cookies.push({ name: part.slice(0, eq).trim(), value: part.slice(eq + 1).trim() });
    }
  }
  return cookies;
}

function responseCookies(headers: RawHeaders): HarCookie[] {
  const cookies: HarCookie[] = [];
  for (const [n, v] of headers) {
    if (n.toLowerCase() !== 'set-cookie') continue;
    const [pair = '', ...attrs] = v.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const cookie: HarCookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim() };
    for (const attr of attrs) {
      const [key = '', val = ''] = attr.split('=').map((s) => s.trim());
      const k = key.toLowerCase();
      if (k === 'path') cookie.path = val;
      else if (k === 'domain') cookie.domain = val;
      else if (k === 'httponly') cookie.httpOnly = true;
      else if (k === 'secure') cookie.secure = true;
      else if (k === 'expires' && !Number.isNaN(Date.parse(val)))
        cookie.expires = new Date(val).toISOString();
    }
    cookies.push(cookie);
  }
  return cookies;
}

let cachedVersion: string | undefined;
function packageVersion(): string {
  if (cachedVersion === undefined) {
    try {
      // Two levels up from main/export/ in the sources, and from dist/cli/ in the bundle.
      const pkg = createRequire(import.meta.url)('../../package.json') as { name?: string; version?: string };
      cachedVersion = pkg.name === 'hookline' ? (pkg.version ?? 'unknown') : 'unknown';
    } catch {
      cachedVersion = 'unknown';
    }
  }
  return cachedVersion;
}
