// The request filter language, shared by `hookline requests list --filter EXPR` and the UI's filter box.
// Parsed once into a typed AST here; filter-sql.ts compiles the AST into parameterised SQL.
//
//   EXPR   := TERM (' ' TERM)*          terms are ANDed
//   TERM   := ['-'] KEY ':' VALUES      '-' negates the term
//           | ['-'] WORD | ['-'] "a phrase"   full-text over path, headers and text bodies; `word*` is a prefix
//   VALUES := VALUE ('|' VALUE)*         alternatives are ORed: status:2xx|404
//   VALUE  := bare characters, or "quoted \"text\""
//
// Keys: method, status (2xx, 404, error, none: of the latest attempt), provider, event (prefix), verified,
// path (prefix), channel, header (name, or name=value), pinned (true|false), before / after (ISO time or
// epoch ms).
import { AppError } from '../../common/errors';
import type { VerificationStatus } from '../../common/model';

export const FILTER_KEYS = [
  'method',
  'status',
  'provider',
  'event',
  'verified',
  'path',
  'channel',
  'header',
  'pinned',
  'before',
  'after',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** One-screen help for the filter language, for `hookline requests list --help` and the UI. */
export const FILTER_HELP = `Filter: terms separated by spaces, all must match; '-' before a term negates it.
  method:POST|PUT          HTTP method
  status:2xx|404|error|none  status of the latest forward or replay
  provider:stripe          detected provider
  event:payment_intent     event type (prefix)
  verified:valid|invalid|unsigned|no-secret
  path:/webhooks           path after the channel URL (prefix)
  channel:ID               channel
  header:x-github-event    has this header; header:name=value for a value
  pinned:true              pinned requests
  after:2024-05-01 before:2024-05-02T12:00:00Z   received in a time range (ISO 8601 or epoch ms)
  word "a phrase" pre*     full-text search in bodies, headers and path`;

/** A latest-attempt status matcher: an HTTP class (2xx), one code, a failed attempt, or no attempt. */
export type StatusMatch =
  { kind: 'class'; hundreds: number } | { kind: 'code'; code: number } | { kind: 'error' } | { kind: 'none' };

export type FilterTerm = { negate: boolean } & (
  | { type: 'method'; values: string[] }
  | { type: 'status'; values: StatusMatch[] }
  | { type: 'provider'; values: string[] }
  | { type: 'event'; prefixes: string[] }
  | { type: 'verified'; values: VerificationStatus[] }
  | { type: 'path'; prefixes: string[] }
  | { type: 'channel'; values: string[] }
  | { type: 'header'; name: string; value?: string }
  | { type: 'pinned'; value: boolean }
  | { type: 'before' | 'after'; at: number }
  | { type: 'text'; text: string; prefix: boolean }
);

/** A parsed filter: every term must hold. */
export interface RequestFilter {
  terms: FilterTerm[];
}

const VERIFIED: readonly VerificationStatus[] = ['valid', 'invalid', 'unsigned', 'no-secret'];

/** Parses a filter expression. Throws AppError('bad_request') naming the offending term. */
export function parseFilter(expr: string): RequestFilter {
  const terms: FilterTerm[] = [];
  for (const token of tokenize(expr)) terms.push(toTerm(token));
  return { terms };
}

interface Token {
  negate: boolean;
  key?: string;
  /** Alternatives, unquoted. */
  values: string[];
  quoted: boolean;
  raw: string;
}

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const readValue = (): { value: string; quoted: boolean } => {
    if (expr[i] !== '"') {
      const start = i;
      while (i < expr.length && !/[\s|]/.test(expr[i]!)) i++;
      return { value: expr.slice(start, i), quoted: false };
    }
    let value = '';
    for (i++; i < expr.length && expr[i] !== '"'; i++) {
      if (expr[i] === '\\' && i + 1 < expr.length) i++;
      value += expr[i];
    }
    if (i >= expr.length) throw bad(`unclosed quote in filter: ${expr}`);
    i++;
    return { value, quoted: true };
  };
  while (i < expr.length) {
    if (/\s/.test(expr[i]!)) {
      i++;
      continue;
    }
    const start = i;
    const negate = expr[i] === '-' && i + 1 < expr.length && !/\s/.test(expr[i + 1]!);
    if (negate) i++;
    const keyMatch = /^([A-Za-z]+):/.exec(expr.slice(i));
    const key = keyMatch?.[1]?.toLowerCase();
    if (keyMatch) i += keyMatch[0].length;
    const values: string[] = [];
    let quoted = false;
    for (;;) {
      const v = readValue();
      values.push(v.value);
      quoted ||= v.quoted;
      if (key === undefined || expr[i] !== '|') break;
      i++;
    }
    // A bare token runs to the next space even across a quote or '|' (`a|b` is one word).
    if (key === undefined && !quoted) {
      const end = expr.slice(i).search(/\s|$/) + i;
      values[0] = (values[0] ?? '') + expr.slice(i, end);
      i = end;
    }
    tokens.push({ negate, ...(key === undefined ? {} : { key }), values, quoted, raw: expr.slice(start, i) });
  }
  return tokens;
}

function toTerm(t: Token): FilterTerm {
  const negate = t.negate;
  if (t.key === undefined) {
    const text = t.values[0] ?? '';
    const prefix = !t.quoted && text.length > 1 && text.endsWith('*');
    return { type: 'text', negate, text: prefix ? text.slice(0, -1) : text, prefix };
  }
  if (!(FILTER_KEYS as readonly string[]).includes(t.key)) {
    throw bad(`unknown filter key '${t.key}' (known: ${FILTER_KEYS.join(', ')}); quote a word with a colon`);
  }
  const key = t.key as FilterKey;
  const values = t.values.map((v) => v.trim());
  if (values.some((v) => v === '')) throw bad(`'${t.raw}' needs a value after '${key}:'`);
  const only = (): string => {
    if (values.length !== 1) throw bad(`'${key}:' takes one value, got '${t.raw}'`);
    return values[0]!;
  };
  switch (key) {
    case 'method':
      return { type: key, negate, values: values.map((v) => v.toUpperCase()) };
    case 'status':
      return { type: key, negate, values: values.map(parseStatus) };
    case 'provider':
      return { type: key, negate, values: values.map((v) => v.toLowerCase()) };
    case 'event':
      return { type: key, negate, prefixes: values };
    case 'verified':
      return { type: key, negate, values: values.map(parseVerified) };
    case 'path':
      return { type: key, negate, prefixes: values };
    case 'channel':
      return { type: key, negate, values };
    case 'header': {
      const spec = only();
      const eq = spec.indexOf('=');
      const name = (eq < 0 ? spec : spec.slice(0, eq)).trim().toLowerCase();
      if (!name) throw bad(`'${t.raw}' needs a header name`);
      return eq < 0 ? { type: key, negate, name } : { type: key, negate, name, value: spec.slice(eq + 1) };
    }
    case 'pinned':
      return { type: key, negate, value: parseBoolean(only(), t.raw) };
    case 'before':
    case 'after':
      return { type: key, negate, at: parseTime(only(), t.raw) };
    default: {
      const unreachable: never = key;
      throw bad(`unhandled filter key ${String(unreachable)}`);
    }
  }
}

function parseStatus(v: string): StatusMatch {
  const s = v.toLowerCase();
  if (s === 'error' || s === 'failed') return { kind: 'error' };
  if (s === 'none') return { kind: 'none' };
  const cls = /^([1-5])xx$/.exec(s);
  if (cls) return { kind: 'class', hundreds: Number(cls[1]) };
  if (/^[1-5]\d\d$/.test(s)) return { kind: 'code', code: Number(s) };
  throw bad(`status:${v} is not a status: use a class (2xx), a code (404), 'error' or 'none'`);
}

function parseVerified(v: string): VerificationStatus {
  const s = v.toLowerCase() as VerificationStatus;
  if (VERIFIED.includes(s)) return s;
  throw bad(`verified:${v} is not a verification status (known: ${VERIFIED.join(', ')})`);
}

function parseBoolean(v: string, raw: string): boolean {
  const s = v.toLowerCase();
  if (['true', 'yes', '1'].includes(s)) return true;
  if (['false', 'no', '0'].includes(s)) return false;
  throw bad(`'${raw}': use true or false`);
}

function parseTime(v: string, raw: string): number {
  const at = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(at))
    throw bad(`'${raw}' is not a time: use ISO 8601 (2024-05-01T12:00:00Z) or epoch ms`);
  return at;
}

function bad(message: string): AppError {
  return new AppError('bad_request', message);
}
