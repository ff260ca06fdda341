// Twilio: `X-Twilio-Signature` = base64 HMAC-SHA1(auth token, public URL + Σ sorted(name + value)) over the
// form params; JSON bodies are instead bound by `bodySHA256=<hex sha256(body)>` in the signed URL.
// Some proxies add or drop the port, so the URL is tried as given, without the port and with the default.
// https://www.twilio.com/docs/usage/webhooks/webhooks-security (twilio-node lib/webhooks/webhooks.ts)
import { bytesEqual, decode, digest, encode, hmac, matchAny, type CandidateCheck } from '../crypto-helpers';
import {
  bodyText,
  formPairs,
  hasHeader,
  headerValue,
  invalid,
  isFormBody,
  missingSignature,
  noSecret,
  parseUrl,
  valid,
} from '../request-parts';
import type { ProviderScheme } from '../types';

const HEADER = 'X-Twilio-Signature';

function sortedParams(pairs: Array<[string, string]>): string {
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...pairs]
    .sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]))
    .map(([k, v]) => k + v)
    .join('');
}

/** The URL as given, with its port removed, and with the scheme's default port added. */
export function urlVariants(raw: string, url: URL): string[] {
  const auth = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  const rest = `${url.pathname}${url.search}${url.hash}`;
  const bare = `${url.protocol}//${auth}${url.hostname}${rest}`;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const withPort = `${url.protocol}//${auth}${url.hostname}:${port}${rest}`;
  return [...new Set([raw, bare, withPort])];
}

export const twilio: ProviderScheme = {
  id: 'twilio',
  label: 'Twilio',
  docs: 'https://www.twilio.com/docs/usage/webhooks/webhooks-security',
  secretHint: "the account's auth token",
  hasTimestamp: false,
  detect: (req) => hasHeader(req.headers, HEADER),
  verify(req, config) {
    const sig = headerValue(req.headers, HEADER);
    if (sig === undefined) return missingSignature('twilio', !!config.secret, HEADER);
    if (!config.secret) return noSecret('twilio', this.secretHint);
    if (!req.url)
      return invalid(
        'twilio',
        'url-needed',
        'Twilio signs the public URL the request was sent to; give it (--url)',
      );
    const url = parseUrl(req.url);
    if (!url) return invalid('twilio', 'url-needed', `'${req.url}' is not an absolute URL`);
    const bodyHash = url.searchParams.get('bodySHA256');
    let params: Array<[string, string]> = [];
    if (bodyHash !== null) {
      const want = decode(bodyHash, 'hex', 'bodySHA256');
      if (!want.ok) return invalid('twilio', 'malformed-header', want.reason);
      if (!bytesEqual(want.bytes, digest('sha256', req.body))) {
        return invalid('twilio', 'signature-mismatch', 'body does not match the bodySHA256 in the URL');
      }
    } else if (isFormBody(req)) {
      params = formPairs(bodyText(req));
    }
    const tail = sortedParams(params);
    let last: CandidateCheck = { ok: true };
    for (const candidate of urlVariants(req.url, url)) {
      last = matchAny(hmac('sha1', config.secret, candidate + tail), [sig.trim()], 'base64', HEADER);
      if (last.ok) return valid('twilio');
    }
    if (last.ok) return valid('twilio');
    const reason =
      last.code === 'signature-mismatch'
        ? `${last.reason}, or the URL is not the one Twilio called`
        : last.reason;
    return invalid('twilio', last.code, reason);
  },
  sign(input, config) {
    if (!config.secret) throw new Error('Twilio signing needs the auth token');
    const ct = (headerValue(input.headers ?? [], 'content-type') ?? '').toLowerCase();
    const hasHash = parseUrl(input.url)?.searchParams.has('bodySHA256') ?? false;
    const params =
      ct.includes('x-www-form-urlencoded') && !hasHash ? formPairs(new TextDecoder().decode(input.body)) : [];
    const sig = encode(hmac('sha1', config.secret, input.url + sortedParams(params)), 'base64');
    return { headers: [[HEADER, sig]] };
  },
  eventInfo(req) {
    const form = isFormBody(req) ? new Map(formPairs(bodyText(req))) : new Map<string, string>();
    const sid = form.get('MessageSid') ?? form.get('CallSid') ?? form.get('SmsSid');
    const status = form.get('MessageStatus') ?? form.get('CallStatus') ?? form.get('SmsStatus');
    return {
      eventType: status ?? (form.has('Body') ? 'message' : undefined),
      eventId: sid !== undefined && status !== undefined ? `${sid}:${status}` : sid,
    };
  },
};
