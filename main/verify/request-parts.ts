// Reading the parts of a request that schemes sign or inspect, without ever throwing on odd input.
import type { RawHeaders } from '../../common/model';
import type { ProviderId, VerifiableRequest, VerificationResult, InvalidCode } from './types';

// Detection asks every scheme about the same few headers: index a header list once (first value per
// lower-cased name) instead of scanning it per question. Rebuilt if the list's length changed.
const headerIndexes = new WeakMap<RawHeaders, { length: number; first: Map<string, string> }>();

/** First value of a header, case-insensitive; undefined when absent. */
export function headerValue(headers: RawHeaders, name: string): string | undefined {
  let index = headerIndexes.get(headers);
  if (!index || index.length !== headers.length) {
    const first = new Map<string, string>();
    for (const [n, v] of headers) {
      const lower = n.toLowerCase();
      if (!first.has(lower)) first.set(lower, v);
    }
    index = { length: headers.length, first };
    headerIndexes.set(headers, index);
  }
  return index.first.get(name.toLowerCase());
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** True when the body contains this ASCII text: a cheap test before parsing a body for detection. */
export function bodyContains(req: { body: Uint8Array }, ascii: string): boolean {
  const b = req.body;
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).indexOf(ascii, 0, 'latin1') !== -1;
}

export function bodyText(req: { body: Uint8Array }): string {
  return decoder.decode(req.body);
}

// Several detectors and the event-info readers look at the same body: parse it once per body buffer.
const parsedBodies = new WeakMap<Uint8Array, unknown>();

/**
 * The body parsed as JSON, or undefined when it is not JSON. Cached per body buffer, so treat the
 * result as read-only.
 */
export function bodyJson(req: { body: Uint8Array }): unknown {
  if (req.body.length === 0) return undefined;
  if (parsedBodies.has(req.body)) return parsedBodies.get(req.body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText(req)) as unknown;
  } catch {
    parsed = undefined;
  }
  parsedBodies.set(req.body, parsed);
  return parsed;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A nested value, or undefined when any step is missing. */
export function pick(v: unknown, ...path: Array<string | number>): unknown {
  let cur: unknown = v;
  for (const key of path) {
    if (typeof key === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[key];
    } else {
      if (!isRecord(cur)) return undefined;
      cur = cur[key];
    }
  }
  return cur;
}

/** A nested field as a string (numbers converted), or undefined. */
export function field(v: unknown, ...path: Array<string | number>): string | undefined {
  const cur = pick(v, ...path);
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return undefined;
}

export function hasHeader(headers: RawHeaders, name: string): boolean {
  return headerValue(headers, name) !== undefined;
}

/** Every value of a header, case-insensitive, in order. */
export function headerValues(headers: RawHeaders, name: string): string[] {
  const lower = name.toLowerCase();
  return headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

export function contentType(req: VerifiableRequest): string {
  return (headerValue(req.headers, 'content-type') ?? '').toLowerCase();
}

export function isFormBody(req: VerifiableRequest): boolean {
  return contentType(req).includes('application/x-www-form-urlencoded');
}

/** Form fields as ordered pairs, decoded the way browsers and PHP decode them ('+' is a space). */
export function formPairs(text: string): Array<[string, string]> {
  return [...new URLSearchParams(text)];
}

/** The query string of the request: from `url` when given, else `query`. */
export function queryParams(req: VerifiableRequest): URLSearchParams {
  if (req.url) {
    try {
      return new URL(req.url).searchParams;
    } catch {
      // fall through to the raw query
    }
  }
  return new URLSearchParams(req.query);
}

/**
 * Sets headers: each name's existing occurrences (any case) are removed and the new value takes the place
 * and spelling of the first one, or goes at the end.
 */
export function replaceHeaders(headers: RawHeaders, updates: RawHeaders): RawHeaders {
  let out: RawHeaders = headers.map(([n, v]) => [n, v]);
  for (const [name, value] of updates) {
    const lower = name.toLowerCase();
    const idx = out.findIndex(([n]) => n.toLowerCase() === lower);
    if (idx === -1) {
      out.push([name, value]);
      continue;
    }
    const keepName = out[idx]![0];
    out = out.filter(([n], i) => i === idx || n.toLowerCase() !== lower);
    const at = out.findIndex(([n]) => n.toLowerCase() === lower);
    out[at] = [keepName, value];
  }
  return out;
}

export function valid(provider: ProviderId): VerificationResult {
  return { status: 'valid', provider };
}

export function invalid(provider: ProviderId, code: InvalidCode, reason: string): VerificationResult {
  return { status: 'invalid', provider, code, reason };
}

export function unsigned(provider: ProviderId | undefined, reason?: string): VerificationResult {
  const v: VerificationResult = { status: 'unsigned' };
  if (provider) v.provider = provider;
  if (reason) v.reason = reason;
  return v;
}

export function noSecret(provider: ProviderId, hint: string): VerificationResult {
  return { status: 'no-secret', provider, reason: `signed, but no secret is configured: needs ${hint}` };
}

/**
 * The signature header is absent: invalid when the channel has a secret (a request that should be signed
 * is not), unsigned otherwise.
 */
export function missingSignature(
  provider: ProviderId,
  hasSecret: boolean,
  header: string,
): VerificationResult {
  return hasSecret
    ? invalid(provider, 'missing-header', `missing ${header} header`)
    : unsigned(provider, `no ${header} header`);
}

/** The tolerance to apply: the channel's override, else the scheme default. */
export function toleranceOf(config: { toleranceSec?: number }, fallback: number): number {
  return config.toleranceSec ?? fallback;
}

/** Builds a full URL from a sign input's URL, or undefined when it is not absolute. */
export function parseUrl(url: string | undefined): URL | undefined {
  if (!url) return undefined;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
