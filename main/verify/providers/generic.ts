// A user-configured HMAC scheme (header, algorithm, encoding, prefix, signed-content template) for senders
// without a built-in scheme. The template names the exact bytes: '{timestamp}.{body}', '{method}{url}{body}'…
import { randomUUID } from 'node:crypto';
import { concatBytes, decode, encode, hmac, matchAny } from '../crypto-helpers';
import { headerValue, invalid, missingSignature, noSecret, valid } from '../request-parts';
import { checkTolerance, parseUnixSeconds } from '../timestamps';
import type { GenericHmacConfig, ProviderScheme, SecretConfig } from '../types';

interface TemplateValues {
  body: Uint8Array;
  timestamp?: string;
  id?: string;
  method: string;
  url?: string;
  path: string;
  query: string;
  header: (name: string) => string | undefined;
}

/** Renders the template to bytes; the body is spliced in as bytes so binary bodies survive. */
export function renderTemplate(
  template: string,
  v: TemplateValues,
): { ok: true; bytes: Buffer } | { ok: false; reason: string } {
  const parts: Array<string | Uint8Array> = [];
  const re = /\{(body|timestamp|id|method|url|path|query|header:[^}]+)\}/g;
  let last = 0;
  for (const m of template.matchAll(re)) {
    parts.push(template.slice(last, m.index));
    last = m.index + m[0].length;
    const name = m[1]!;
    if (name === 'body') parts.push(v.body);
    else if (name.startsWith('header:')) {
      const h = v.header(name.slice(7));
      if (h === undefined)
        return { ok: false, reason: `the template needs header ${name.slice(7)}, which is missing` };
      parts.push(h);
    } else {
      const value = {
        timestamp: v.timestamp,
        id: v.id,
        method: v.method,
        url: v.url,
        path: v.path,
        query: v.query,
      }[name as 'timestamp'];
      if (value === undefined)
        return { ok: false, reason: `the template needs {${name}}, which this request lacks` };
      parts.push(value);
    }
  }
  parts.push(template.slice(last));
  return { ok: true, bytes: concatBytes(...parts) };
}

function keyOf(
  g: GenericHmacConfig,
  secret: string,
): { ok: true; key: Buffer } | { ok: false; reason: string } {
  if (!g.secretEncoding || g.secretEncoding === 'utf8') return { ok: true, key: Buffer.from(secret, 'utf8') };
  const d = decode(secret, g.secretEncoding, 'secret');
  return d.ok ? { ok: true, key: d.bytes } : { ok: false, reason: d.reason };
}

function genericOf(config: SecretConfig): GenericHmacConfig | undefined {
  return config.generic;
}

export const generic: ProviderScheme = {
  id: 'generic',
  label: 'Generic HMAC',
  docs: 'https://en.wikipedia.org/wiki/HMAC',
  secretHint: 'the HMAC secret and the scheme (header, algorithm, encoding, template)',
  hasTimestamp: true,
  detect: () => false,
  verify(req, config, now) {
    const g = genericOf(config);
    if (!g)
      return invalid(
        'generic',
        'secret-format',
        'no generic HMAC scheme is configured (header, algorithm, …)',
      );
    const raw = headerValue(req.headers, g.header);
    if (raw === undefined) return missingSignature('generic', !!config.secret, g.header);
    if (!config.secret) return noSecret('generic', this.secretHint);
    const key = keyOf(g, config.secret);
    if (!key.ok) return invalid('generic', 'secret-format', key.reason);
    const tsRaw = g.timestampHeader ? headerValue(req.headers, g.timestampHeader) : undefined;
    if (g.timestampHeader) {
      const ts = parseUnixSeconds(tsRaw, g.timestampHeader);
      if (!ts.ok)
        return invalid('generic', tsRaw === undefined ? 'missing-header' : 'malformed-header', ts.reason);
    }
    const content = renderTemplate(g.template ?? '{body}', {
      body: req.body,
      timestamp: tsRaw?.trim(),
      id: g.idHeader ? headerValue(req.headers, g.idHeader) : undefined,
      method: req.method.toUpperCase(),
      url: req.url,
      path: req.path,
      query: req.query,
      header: (n) => headerValue(req.headers, n),
    });
    if (!content.ok) return invalid('generic', 'malformed-header', content.reason);
    const prefix = g.prefix ?? '';
    const candidates = (g.separator ? raw.split(g.separator) : [raw])
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (prefix && !candidates.some((c) => c.startsWith(prefix))) {
      return invalid('generic', 'malformed-header', `${g.header} should start with '${prefix}'`);
    }
    const sigs = candidates.filter((c) => c.startsWith(prefix)).map((c) => c.slice(prefix.length));
    const expected = hmac(g.algorithm ?? 'sha256', key.key, content.bytes);
    const match = matchAny(expected, sigs, g.encoding ?? 'hex', `${g.header} signature`);
    if (!match.ok) return invalid('generic', match.code, match.reason);
    if (tsRaw !== undefined) {
      const late = checkTolerance(
        Number(tsRaw.trim()),
        now,
        config.toleranceSec ?? g.toleranceSec ?? 300,
        'both',
      );
      if (late) return invalid('generic', 'timestamp-outside-tolerance', late);
    }
    return valid('generic');
  },
  sign(input, config) {
    const g = genericOf(config);
    if (!g || !config.secret) throw new Error('generic signing needs the secret and the scheme');
    const key = keyOf(g, config.secret);
    if (!key.ok) throw new Error(key.reason);
    const headers = input.headers ?? [];
    const id = g.idHeader ? (headerValue(headers, g.idHeader) ?? randomUUID()) : undefined;
    const url = new URL(input.url);
    const content = renderTemplate(g.template ?? '{body}', {
      body: input.body,
      timestamp: String(input.now),
      id,
      method: input.method.toUpperCase(),
      url: input.url,
      path: url.pathname,
      query: url.search.replace(/^\?/, ''),
      header: (n) => headerValue(headers, n),
    });
    if (!content.ok) throw new Error(content.reason);
    const out: Array<[string, string]> = [];
    if (g.idHeader && id) out.push([g.idHeader, id]);
    if (g.timestampHeader) out.push([g.timestampHeader, String(input.now)]);
    const sig = encode(hmac(g.algorithm ?? 'sha256', key.key, content.bytes), g.encoding ?? 'hex');
    out.push([g.header, `${g.prefix ?? ''}${sig}`]);
    return { headers: out };
  },
  eventInfo: () => ({}),
};
