// Public-key schemes: the user configures the sender's public key; signing (for `send` and re-sign) needs
// a private key of the user's own.
// Discord  https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers
//          Ed25519 over `${timestamp}${body}`, hex signature and hex public key; PING must get PONG, and a
//          bad signature 401.
// SendGrid https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features
//          ECDSA P-256 + SHA-256 over `${timestamp}${body}`, base64 DER signature, base64 DER public key.
import { sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { ed25519PublicKey, publicKeyFrom, signingKeyFrom } from '../asymmetric-keys';
import { concatBytes, decode } from '../crypto-helpers';
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
import { checkTolerance, parseUnixSeconds } from '../timestamps';
import type { ChallengeAnswer, ProviderScheme, SecretConfig } from '../types';

const D_SIG = 'X-Signature-Ed25519';
const D_TS = 'X-Signature-Timestamp';

function discordKey(config: SecretConfig): { ok: true; key: KeyObject } | { ok: false; reason: string } {
  const text = (config.publicKey ?? config.secret ?? '').trim();
  if (text.includes('-----BEGIN')) return publicKeyFrom(text, 'Discord public key');
  const d = decode(text, 'hex', 'Discord public key');
  if (!d.ok) return { ok: false, reason: `${d.reason} (the application's public key is 64 hex characters)` };
  return ed25519PublicKey(d.bytes);
}

function signWith(
  privateKey: string | undefined,
  what: string,
  alg: string | null,
  data: Buffer,
  der = false,
): Buffer {
  if (!privateKey) throw new Error(`${what} signing needs a private key (privateKey) of your own`);
  const k = signingKeyFrom(privateKey, `${what} private key`);
  if (!k.ok) throw new Error(k.reason);
  return cryptoSign(alg, data, der ? { key: k.key, dsaEncoding: 'der' } : k.key);
}

const reply = (status: number, body: string, type = 'application/json'): ChallengeAnswer => ({
  status,
  headers: body ? [['Content-Type', type]] : [],
  body: new TextEncoder().encode(body),
});

export const discord: ProviderScheme = {
  id: 'discord',
  label: 'Discord',
  docs: 'https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers',
  secretHint: "the application's public key (hex)",
  hasTimestamp: true,
  detect: (req) => hasHeader(req.headers, D_SIG),
  verify(req, config, now) {
    const sig = headerValue(req.headers, D_SIG);
    const hasKey = !!(config.publicKey ?? config.secret);
    if (sig === undefined) return missingSignature('discord', hasKey, D_SIG);
    if (!hasKey) return noSecret('discord', this.secretHint);
    const key = discordKey(config);
    if (!key.ok) return invalid('discord', 'secret-format', key.reason);
    const tsRaw = headerValue(req.headers, D_TS);
    const ts = parseUnixSeconds(tsRaw, D_TS);
    if (!ts.ok)
      return invalid('discord', tsRaw === undefined ? 'missing-header' : 'malformed-header', ts.reason);
    const s = decode(sig, 'hex', D_SIG);
    if (!s.ok) return invalid('discord', 'malformed-header', s.reason);
    if (s.bytes.length !== 64) {
      return invalid(
        'discord',
        'malformed-header',
        `${D_SIG} is ${s.bytes.length} bytes, expected 64 (truncated?)`,
      );
    }
    if (!cryptoVerify(null, concatBytes(tsRaw!, req.body), key.key, s.bytes)) {
      return invalid(
        'discord',
        'signature-mismatch',
        `${D_SIG} does not verify: the body, timestamp or key differs`,
      );
    }
    const late = checkTolerance(ts.seconds, now, toleranceOf(config, 300), 'both');
    return late ? invalid('discord', 'timestamp-outside-tolerance', late) : valid('discord');
  },
  sign(input, config) {
    const sig = signWith(config.privateKey, 'Discord', null, concatBytes(String(input.now), input.body));
    return {
      headers: [
        [D_SIG, sig.toString('hex')],
        [D_TS, String(input.now)],
      ],
    };
  },
  eventInfo(req) {
    const json = bodyJson(req);
    return { eventType: field(json, 'event', 'type') ?? field(json, 'type'), eventId: field(json, 'id') };
  },
  /** Interactions PING (type 1) → PONG; Webhook Events PING (type 0) → 204; a bad signature → 401. */
  challenge(req, config, now) {
    const json = bodyJson(req);
    const type = field(json, 'type');
    if ((type !== '1' && type !== '0') || !hasHeader(req.headers, D_SIG)) return undefined;
    if (type === '0' && field(json, 'event') !== undefined) return undefined;
    if (!config.publicKey && !config.secret) return undefined;
    if (discord.verify(req, config, now).status !== 'valid')
      return reply(401, 'invalid request signature', 'text/plain');
    return type === '1' ? reply(200, '{"type":1}') : reply(204, '');
  },
};

const SG_SIG = 'X-Twilio-Email-Event-Webhook-Signature';
const SG_TS = 'X-Twilio-Email-Event-Webhook-Timestamp';

export const sendgrid: ProviderScheme = {
  id: 'sendgrid',
  label: 'SendGrid',
  docs: 'https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features',
  secretHint: "the Event Webhook's verification key (base64 public key)",
  hasTimestamp: true,
  detect: (req) => hasHeader(req.headers, SG_SIG),
  verify(req, config, now) {
    const sig = headerValue(req.headers, SG_SIG);
    const keyText = config.publicKey ?? config.secret;
    if (sig === undefined) return missingSignature('sendgrid', !!keyText, SG_SIG);
    if (!keyText) return noSecret('sendgrid', this.secretHint);
    const key = publicKeyFrom(keyText, 'SendGrid verification key');
    if (!key.ok) return invalid('sendgrid', 'secret-format', key.reason);
    if (key.key.asymmetricKeyType !== 'ec') {
      return invalid('sendgrid', 'secret-format', 'SendGrid verification key is not an ECDSA (P-256) key');
    }
    const tsRaw = headerValue(req.headers, SG_TS);
    const ts = parseUnixSeconds(tsRaw, SG_TS);
    if (!ts.ok)
      return invalid('sendgrid', tsRaw === undefined ? 'missing-header' : 'malformed-header', ts.reason);
    const s = decode(sig, 'base64', SG_SIG);
    if (!s.ok) return invalid('sendgrid', 'malformed-header', s.reason);
    let ok = false;
    try {
      ok = cryptoVerify(
        'sha256',
        concatBytes(tsRaw!, req.body),
        { key: key.key, dsaEncoding: 'der' },
        s.bytes,
      );
    } catch {
      return invalid('sendgrid', 'malformed-header', `${SG_SIG} is not a DER ECDSA signature`);
    }
    if (!ok)
      return invalid(
        'sendgrid',
        'signature-mismatch',
        `${SG_SIG} does not verify: the body, timestamp or key differs`,
      );
    const late = checkTolerance(ts.seconds, now, toleranceOf(config, 300), 'both');
    return late ? invalid('sendgrid', 'timestamp-outside-tolerance', late) : valid('sendgrid');
  },
  sign(input, config) {
    const sig = signWith(
      config.privateKey,
      'SendGrid',
      'sha256',
      concatBytes(String(input.now), input.body),
      true,
    );
    return {
      headers: [
        [SG_SIG, sig.toString('base64')],
        [SG_TS, String(input.now)],
      ],
    };
  },
  eventInfo(req) {
    const json = bodyJson(req);
    return { eventType: field(json, 0, 'event'), eventId: field(json, 0, 'sg_event_id') };
  },
};
