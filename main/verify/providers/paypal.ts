// PayPal: RSA (SHA256withRSA) over `${transmissionId}|${transmissionTime}|${webhookId}|${crc32(body)}`,
// base64 in PAYPAL-TRANSMISSION-SIG. The key comes from a certificate the user gives: the request names a
// PAYPAL-CERT-URL, but anyone can name a URL, so it is fetched only when the user allows it, and only
// from PayPal's own hosts (see fetchPaypalCertificate).
// https://developer.paypal.com/api/rest/webhooks/rest/#link-selfverificationmethod
import { randomUUID, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { privateKeyFrom, publicKeyFrom } from '../asymmetric-keys';
import { crc32, decode } from '../crypto-helpers';
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
import { checkTolerance, parseRfc3339 } from '../timestamps';
import type { ProviderScheme, SecretConfig } from '../types';

const SIG = 'PAYPAL-TRANSMISSION-SIG';
const ID = 'PAYPAL-TRANSMISSION-ID';
const TIME = 'PAYPAL-TRANSMISSION-TIME';
const CERT_URL = 'PAYPAL-CERT-URL';
const ALGO = 'PAYPAL-AUTH-ALGO';

const ALGORITHMS: Record<string, string> = {
  sha256withrsa: 'sha256',
  sha1withrsa: 'sha1',
  sha512withrsa: 'sha512',
};

function keyText(config: SecretConfig): string | undefined {
  if (config.certificate) return config.certificate;
  if (config.publicKey) return config.publicKey;
  return config.secret?.includes('-----BEGIN') ? config.secret : undefined;
}

/** True for certificate URLs on PayPal's API hosts over https. */
export function isPaypalCertUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' && /^api(-m)?(\.sandbox)?\.paypal\.com$/.test(u.hostname);
  } catch {
    return false;
  }
}

/**
 * Fetches the certificate a request names, only with the user's consent and only from PayPal's hosts.
 * The engine stores the result as the channel's `certificate`.
 */
export async function fetchPaypalCertificate(
  url: string,
  options: { allow: boolean; fetch?: typeof fetch },
): Promise<string> {
  if (!options.allow)
    throw new Error('fetching the PayPal certificate is not allowed; configure the certificate');
  if (!isPaypalCertUrl(url))
    throw new Error(`refusing to fetch a certificate from ${url}: not a PayPal API host`);
  const res = await (options.fetch ?? fetch)(url);
  const text = await res.text();
  if (!res.ok || !text.includes('BEGIN CERTIFICATE')) throw new Error(`${url} did not return a certificate`);
  return text;
}

export const paypal: ProviderScheme = {
  id: 'paypal',
  label: 'PayPal',
  docs: 'https://developer.paypal.com/api/rest/webhooks/rest/#link-selfverificationmethod',
  secretHint: "PayPal's signing certificate (PEM) and the webhook id",
  hasTimestamp: true,
  detect: (req) => hasHeader(req.headers, SIG),
  verify(req, config, now) {
    const sig = headerValue(req.headers, SIG);
    const text = keyText(config);
    if (sig === undefined) return missingSignature('paypal', !!text, SIG);
    if (!text) {
      const url = headerValue(req.headers, CERT_URL);
      return noSecret(
        'paypal',
        `PayPal's signing certificate (PEM)${url ? ` from ${url}, not fetched unless allowed` : ''}`,
      );
    }
    if (!config.webhookId) return noSecret('paypal', 'the PayPal webhook id (part of the signed string)');
    const key = publicKeyFrom(text, 'PayPal certificate');
    if (!key.ok) return invalid('paypal', 'secret-format', key.reason);
    const id = headerValue(req.headers, ID);
    if (id === undefined) return invalid('paypal', 'missing-header', `missing ${ID} header`);
    const timeRaw = headerValue(req.headers, TIME);
    const time = parseRfc3339(timeRaw, TIME);
    if (!time.ok)
      return invalid('paypal', timeRaw === undefined ? 'missing-header' : 'malformed-header', time.reason);
    const algoName = (headerValue(req.headers, ALGO) ?? 'SHA256withRSA').trim();
    const alg = ALGORITHMS[algoName.toLowerCase()];
    if (!alg) return invalid('paypal', 'malformed-header', `${ALGO} '${algoName}' is not supported`);
    const s = decode(sig, 'base64', SIG);
    if (!s.ok) return invalid('paypal', 'malformed-header', s.reason);
    const signed = `${id}|${timeRaw}|${config.webhookId}|${crc32(req.body)}`;
    let ok = false;
    try {
      ok = cryptoVerify(alg, Buffer.from(signed), key.key, s.bytes);
    } catch {
      ok = false;
    }
    if (!ok)
      return invalid(
        'paypal',
        'signature-mismatch',
        `${SIG} does not verify: the body, webhook id or certificate differs`,
      );
    const late = checkTolerance(time.seconds, now, toleranceOf(config, 300), 'both');
    return late ? invalid('paypal', 'timestamp-outside-tolerance', late) : valid('paypal');
  },
  sign(input, config) {
    if (!config.privateKey)
      throw new Error('PayPal signing needs an RSA private key (privateKey) of your own');
    if (!config.webhookId) throw new Error('PayPal signing needs the webhook id');
    const key = privateKeyFrom(config.privateKey, 'PayPal private key');
    if (!key.ok) throw new Error(key.reason);
    const headers = input.headers ?? [];
    const id = headerValue(headers, ID) ?? randomUUID();
    const time = new Date(input.now * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const signed = `${id}|${time}|${config.webhookId}|${crc32(input.body)}`;
    return {
      headers: [
        [ID, id],
        [TIME, time],
        [SIG, cryptoSign('sha256', Buffer.from(signed), key.key).toString('base64')],
        [ALGO, 'SHA256withRSA'],
        [
          CERT_URL,
          headerValue(headers, CERT_URL) ??
            'https://api.paypal.com/v1/notifications/certs/CERT-hookline-local',
        ],
      ],
    };
  },
  eventInfo(req) {
    const json = bodyJson(req);
    return { eventType: field(json, 'event_type'), eventId: field(json, 'id') };
  },
};
