// Compiles a parsed request filter (request-filter.ts) into a SQL condition over `requests AS r`, with every
// user value bound as a parameter. Full-text terms become FTS5 queries whose user text is always a quoted
// string (quotes doubled), so no FTS5 operator in the input (AND, NEAR, *, ^, column:) is ever interpreted.
import type { FilterTerm, RequestFilter, StatusMatch } from './request-filter';

export interface SqlCondition {
  /** A boolean SQL expression over `r`; 'TRUE' when the filter is empty. */
  sql: string;
  params: unknown[];
  /** The FTS5 query of the filter's positive words, when it has any (to pick a text plan). */
  fts?: string;
}

/**
 * How positive words are matched. 'set' collects every matching rowid first: best when few rows match.
 * 'probe' walks the list index newest first and asks FTS about each row: best when many rows match,
 * since a page is found after a few probes instead of after sorting every match.
 */
export type TextPlan = 'set' | 'probe';

const FTS_ROWIDS = 'SELECT rowid FROM requests_fts WHERE requests_fts MATCH ?';
const FTS_PROBE = 'EXISTS (SELECT 1 FROM requests_fts WHERE requests_fts MATCH ? AND rowid = r.rid)';

/** `text` as one FTS5 string (a phrase once tokenized), safe whatever it contains. */
export function ftsString(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** An FTS5 query: the phrase `text` in `column` (all columns when omitted), optionally as a prefix. */
export function ftsPhrase(
  text: string,
  options: { column?: 'path' | 'headers' | 'body'; prefix?: boolean } = {},
) {
  const phrase = ftsString(text) + (options.prefix ? ' *' : '');
  return options.column ? `${options.column} : ${phrase}` : phrase;
}

/** True when the tokenizer would find at least one word in `text` (an empty FTS phrase matches nothing). */
function hasWord(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

/** Compiles `filter` into a condition; an empty filter is 'TRUE'. */
export function compileFilter(filter: RequestFilter, textPlan: TextPlan = 'set'): SqlCondition {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const positiveText: string[] = [];
  for (const term of filter.terms) {
    if (term.type === 'text' && !term.negate) {
      if (hasWord(term.text)) positiveText.push(ftsPhrase(term.text, { prefix: term.prefix }));
      continue;
    }
    const c = compileTerm(term);
    if (!c) continue;
    // coalesce: a negated test on a NULL column (no provider, no attempt) counts as "not matching", so kept.
    clauses.push(term.negate ? `NOT coalesce((${c.sql}), 0)` : `(${c.sql})`);
    params.push(...c.params);
  }
  if (positiveText.length > 0) {
    // One MATCH for all positive words: FTS5 intersects them itself, far cheaper than one subquery each.
    const fts = positiveText.join(' AND ');
    clauses.unshift(textPlan === 'probe' ? FTS_PROBE : `r.rid IN (${FTS_ROWIDS})`);
    params.unshift(fts);
    return { sql: clauses.join(' AND '), params, fts };
  }
  return { sql: clauses.length > 0 ? clauses.join(' AND ') : 'TRUE', params };
}

function compileTerm(term: FilterTerm): SqlCondition | undefined {
  switch (term.type) {
    case 'method':
      return anyOf('r.method', term.values);
    case 'provider':
      return anyOf('lower(r.provider)', term.values);
    case 'channel':
      return anyOf('r.channel_id', term.values);
    case 'verified':
      return anyOf('r.verification_status', term.values);
    case 'event':
      return anyPrefix('r.event_type', term.prefixes);
    case 'path':
      return anyPrefix('r.path', term.prefixes);
    case 'status':
      return orAll(term.values.map(statusCondition));
    case 'pinned':
      return { sql: 'r.pinned = ?', params: [term.value ? 1 : 0] };
    case 'before':
      return { sql: 'r.received_at < ?', params: [term.at] };
    case 'after':
      return { sql: 'r.received_at >= ?', params: [term.at] };
    case 'header':
      return headerCondition(term.name, term.value, term.negate);
    case 'text':
      if (!hasWord(term.text)) return undefined;
      return { sql: `r.rid IN (${FTS_ROWIDS})`, params: [ftsPhrase(term.text, { prefix: term.prefix })] };
    default: {
      const unreachable: never = term;
      throw new Error(`unhandled filter term ${JSON.stringify(unreachable)}`);
    }
  }
}

function anyOf(column: string, values: readonly unknown[]): SqlCondition {
  return { sql: `${column} IN (${values.map(() => '?').join(', ')})`, params: [...values] };
}

/** Case-sensitive prefix test; `substr` rather than LIKE so '%' and '_' in the input mean themselves. */
function anyPrefix(column: string, prefixes: readonly string[]): SqlCondition {
  return orAll(prefixes.map((p) => ({ sql: `substr(${column}, 1, length(?)) = ?`, params: [p, p] })));
}

function orAll(conditions: SqlCondition[]): SqlCondition {
  if (conditions.length === 1) return conditions[0]!;
  return {
    sql: conditions.map((c) => `(${c.sql})`).join(' OR '),
    params: conditions.flatMap((c) => c.params),
  };
}

function statusCondition(m: StatusMatch): SqlCondition {
  switch (m.kind) {
    case 'class':
      return {
        sql: 'r.last_attempt_status BETWEEN ? AND ?',
        params: [m.hundreds * 100, m.hundreds * 100 + 99],
      };
    case 'code':
      return { sql: 'r.last_attempt_status = ?', params: [m.code] };
    case 'error':
      return { sql: 'r.attempt_count > 0 AND r.last_attempt_status IS NULL', params: [] };
    case 'none':
      return { sql: 'r.attempt_count = 0', params: [] };
    default: {
      const unreachable: never = m;
      throw new Error(`unhandled status match ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * A header with this name (case-insensitive), and when given this value (case-insensitive, exact). The
 * exact test walks the stored JSON pairs; for a positive term the FTS index narrows the rows first.
 */
function headerCondition(name: string, value: string | undefined, negate: boolean): SqlCondition {
  const exact =
    value === undefined
      ? { sql: 'lower(h.value ->> 0) = ?', params: [name] as unknown[] }
      : { sql: 'lower(h.value ->> 0) = ? AND lower(h.value ->> 1) = lower(?)', params: [name, value] };
  const exists = `EXISTS (SELECT 1 FROM request_bodies AS b, json_each(b.headers) AS h
    WHERE b.rid = r.rid AND ${exact.sql})`;
  if (negate || !hasWord(name)) return { sql: exists, params: exact.params };
  const words = value !== undefined && hasWord(value) ? `${name} ${value}` : name;
  return {
    sql: `r.rid IN (${FTS_ROWIDS}) AND ${exists}`,
    params: [ftsPhrase(words, { column: 'headers' }), ...exact.params],
  };
}
