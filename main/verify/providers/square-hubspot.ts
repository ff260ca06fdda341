// Schemes that sign the public URL with the body, so they need the URL the sender called.
// Square  https://developer.squareup.com/docs/webhooks/step3validate (base64 HMAC-SHA256(url + body);
//         legacy x-square-signature is HMAC-SHA1)
// HubSpot https://developers.hubspot.com/docs/api/webhooks/validating-requests (v1 sha256(secret+body),
//         v2 sha256(secret+method+uri+body), v3 base64 HMAC-SHA256(method+uri+body+timestamp_ms), 300 s)
import { digest, encode, hmac, matchAny, type CandidateCheck } from '../crypto-helpers';
import {
  bodyJson,
  field,
  hasHeader,
  headerValue,
  invalid,
  missingSignature,
  noSecret,
  toleranceOf,
  valid,
} from '../request-parts';
import { checkTolerance, parseUnixMillis } from '../timestamps';
import type { ProviderScheme, VerifiableRequest } from '../types';

const SQ_SHA256 = 'x-square-hmacsha256-signature';
const SQ_SHA1 = 'x-square-signature';

export const square: ProviderScheme = {
  id: 'square',
  label: 'Square',
  docs: 'https://developer.squareup.com/docs/webhooks/step3validate',
  secretHint: "the subscription's signature key",
  hasTimestamp: false,
  detect: (req) => hasHeader(req.headers, SQ_SHA256) || hasHeader(req.headers, SQ_SHA1),
  verify(req, config) {
    const name = [SQ_SHA256, SQ_SHA1].find((h) => hasHeader(req.headers, h));
    if (!name) return missingSignature('square', !!config.secret, SQ_SHA256);
    if (!config.secret) return noSecret('square', this.secretHint);
    if (!req.url)
      return invalid(
        'square',
        'url-needed',
        "Square signs the subscription's notification URL; give it (--url)",
      );
    const alg = name === SQ_SHA256 ? 'sha256' : 'sha1';
    const expected = hmac(alg, config.secret, req.url, req.body);
    const match = matchAny(expected, [headerValue(req.headers, name)!.trim()], 'base64', name);
    if (match.ok) return valid('square');
    const extra = match.code === 'signature-mismatch' ? ', or the URL is not the notification URL' : '';
    return invalid('square', match.code, match.reason + extra);
  },
  sign(input, config) {
    if (!config.secret) throw new Error('Square signing needs the signature key');
    return { headers: [[SQ_SHA256, encode(hmac('sha256', config.secret, input.url, input.body), 'base64')]] };
  },
  eventInfo(req) {
    const json = bodyJson(req);
    return { eventType: field(json, 'type'), eventId: field(json, 'event_id') };
  },
};

const HS_V3 = 'X-HubSpot-Signature-v3';
const HS_TS = 'X-HubSpot-Request-Timestamp';
const HS_V12 = 'X-HubSpot-Signature';
const HS_VERSION = 'X-HubSpot-Signature-Version';

/** HubSpot asks to decode a few percent-escapes in the URI before signing; try it as given and decoded. */
function uriVariants(url: string): string[] {
  const decoded = url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => decodeURIComponent(m));
  return [...new Set([url, decoded])];
}

function firstMatch(
  make: (uri: string) => Buffer,
  uris: string[],
  sig: string,
  encoding: 'hex' | 'base64',
  what: string,
): CandidateCheck {
  let last: CandidateCheck = { ok: false, reason: `${what} mismatch`, code: 'signature-mismatch' };
  for (const uri of uris) {
    last = matchAny(make(uri), [sig], encoding, what);
    if (last.ok) return last;
  }
  return last;
}

function verifyHubspot(req: VerifiableRequest, secret: string, now: number, tolerance: number) {
  const v3 = headerValue(req.headers, HS_V3);
  const method = req.method.toUpperCase();
  if (v3 !== undefined) {
    const tsRaw = headerValue(req.headers, HS_TS);
    const ts = parseUnixMillis(tsRaw, HS_TS);
    if (!ts.ok)
      return invalid('hubspot', tsRaw === undefined ? 'missing-header' : 'malformed-header', ts.reason);
    if (!req.url)
      return invalid('hubspot', 'url-needed', 'HubSpot v3 signs the full request URL; give it (--url)');
    const make = (uri: string) => hmac('sha256', secret, method, uri, req.body, tsRaw!.trim());
    const m = firstMatch(make, uriVariants(req.url), v3.trim(), 'base64', HS_V3);
    if (!m.ok) return invalid('hubspot', m.code, m.reason);
    const late = checkTolerance(ts.seconds, now, tolerance, 'age');
    return late ? invalid('hubspot', 'timestamp-outside-tolerance', late) : valid('hubspot');
  }
  const sig = headerValue(req.headers, HS_V12)!.trim();
  const version = (headerValue(req.headers, HS_VERSION) ?? 'v1').trim().toLowerCase();
  if (version === 'v1') {
    const m = matchAny(digest('sha256', secret, req.body), [sig], 'hex', HS_V12);
    return m.ok ? valid('hubspot') : invalid('hubspot', m.code, m.reason);
  }
  if (version !== 'v2')
    return invalid('hubspot', 'malformed-header', `${HS_VERSION} '${version}' is not v1 or v2`);
  if (!req.url)
    return invalid('hubspot', 'url-needed', 'HubSpot v2 signs the full request URL; give it (--url)');
  const m = firstMatch(
    (uri) => digest('sha256', secret, method, uri, req.body),
    uriVariants(req.url),
    sig,
    'hex',
    HS_V12,
  );
  return m.ok ? valid('hubspot') : invalid('hubspot', m.code, m.reason);
}

export const hubspot: ProviderScheme = {
  id: 'hubspot',
  label: 'HubSpot',
  docs: 'https://developers.hubspot.com/docs/api/webhooks/validating-requests',
  secretHint: "the app's client secret",
  hasTimestamp: true,
  detect: (req) => hasHeader(req.headers, HS_V3) || hasHeader(req.headers, HS_V12),
  verify(req, config, now) {
    if (!hasHeader(req.headers, HS_V3) && !hasHeader(req.headers, HS_V12)) {
      return missingSignature('hubspot', !!config.secret, HS_V3);
    }
    if (!config.secret) return noSecret('hubspot', this.secretHint);
    return verifyHubspot(req, config.secret, now, toleranceOf(config, 300));
  },
  sign(input, config) {
    if (!config.secret) throw new Error('HubSpot signing needs the client secret');
    const headers = input.headers ?? [];
    const method = input.method.toUpperCase();
    if (!hasHeader(headers, HS_V3) && hasHeader(headers, HS_V12)) {
      const v2 = (headerValue(headers, HS_VERSION) ?? 'v1').toLowerCase() === 'v2';
      const sum = v2
        ? digest('sha256', config.secret, method, input.url, input.body)
        : digest('sha256', config.secret, input.body);
      return { headers: [[HS_V12, encode(sum, 'hex')]] };
    }
    const ts = String(input.now * 1000);
    const sig = encode(hmac('sha256', config.secret, method, input.url, input.body, ts), 'base64');
    return {
      headers: [
        [HS_V3, sig],
        [HS_TS, ts],
      ],
    };
  },
  eventInfo(req) {
    const json = bodyJson(req);
    return { eventType: field(json, 0, 'subscriptionType'), eventId: field(json, 0, 'eventId') };
  },
};
