// A factory for the many schemes that sign only the raw body with an HMAC and put it in one header.
import type { RawHeaders } from '../../../common/model';
import { decode, encode, hmac, matchAny, type Encoding } from '../crypto-helpers';
import { headerValue, invalid, missingSignature, noSecret, valid } from '../request-parts';
import type { EventInfo, ProviderId, ProviderScheme, VerifiableRequest } from '../types';

export interface SignatureHeaderSpec {
  name: string;
  algorithm: 'sha1' | 'sha256';
  /** Text before the signature, matched case-insensitively, e.g. 'sha256='. */
  prefix?: string;
  /** Also emitted when signing (the first spec always is). */
  alsoSign?: boolean;
}

export interface BodyHmacOptions {
  id: ProviderId;
  label: string;
  docs: string;
  secretHint: string;
  /** In order of preference: the first one present on the request is checked. */
  headers: SignatureHeaderSpec[];
  encoding: Encoding;
  detect(req: VerifiableRequest): boolean;
  eventInfo(req: VerifiableRequest): EventInfo;
  challenge?: ProviderScheme['challenge'];
}

export function bodyHmacScheme(o: BodyHmacOptions): ProviderScheme {
  const names = [...new Set(o.headers.map((h) => h.name))];
  return {
    id: o.id,
    label: o.label,
    docs: o.docs,
    secretHint: o.secretHint,
    hasTimestamp: false,
    detect: o.detect,
    eventInfo: o.eventInfo,
    challenge: o.challenge,
    verify(req, config) {
      const name = names.find((n) => headerValue(req.headers, n) !== undefined);
      if (!name) return missingSignature(o.id, !!config.secret, names[0]!);
      if (!config.secret) return noSecret(o.id, o.secretHint);
      const value = headerValue(req.headers, name)!.trim();
      const specs = o.headers.filter((h) => h.name === name);
      const spec = specs.find((h) => !h.prefix || value.toLowerCase().startsWith(h.prefix.toLowerCase()));
      if (!spec) {
        const want = specs.map((h) => `'${h.prefix}'`).join(' or ');
        return invalid(o.id, 'malformed-header', `${name} should start with ${want}`);
      }
      const sig = value.slice(spec.prefix?.length ?? 0);
      const expected = hmac(spec.algorithm, config.secret, req.body);
      const match = matchAny(expected, [sig], o.encoding, `${name} signature`);
      if (!match.ok) {
        // A hex signature in a base64 scheme (or the reverse) is a common copy-paste slip; say so.
        const other: Encoding = o.encoding === 'hex' ? 'base64' : 'hex';
        const d = decode(sig, other);
        const hint =
          match.code === 'malformed-header' && d.ok && d.bytes.length === expected.length
            ? ` (it looks like ${other}; ${o.label} uses ${o.encoding})`
            : '';
        return invalid(o.id, match.code, match.reason + hint);
      }
      return valid(o.id);
    },
    sign(input, config) {
      if (!config.secret) throw new Error(`${o.label} signing needs ${o.secretHint}`);
      const headers: RawHeaders = [];
      o.headers.forEach((h, i) => {
        if (i !== 0 && !h.alsoSign) return;
        const sig = encode(hmac(h.algorithm, config.secret!, input.body), o.encoding);
        headers.push([h.name, `${h.prefix ?? ''}${sig}`]);
      });
      return { headers };
    },
  };
}
