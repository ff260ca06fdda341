// Standard Webhooks, and Svix which it grew from (Clerk, Resend and many more send through Svix):
// `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<b64> v1a,<b64> …` (or the same as `svix-*`),
// signed content `${id}.${timestamp}.${body}`; v1 = HMAC-SHA256 keyed with base64-decode(secret sans
// `whsec_`), v1a = Ed25519 with a `whpk_` public key. Tolerance ±300 s.
// https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
import { randomBytes, sign as edSign, verify as edVerify, type KeyObject } from 'node:crypto';
import type { RawHeaders } from '../../../common/model';
import { ed25519PrivateKey, ed25519PublicKey } from '../asymmetric-keys';
import { bytesEqual, concatBytes, decode, encode, hmac } from '../crypto-helpers';
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
import type {
  ProviderId,
  ProviderScheme,
  SecretConfig,
  SignInput,
  SignOutput,
  VerifiableRequest,
  VerificationResult,
} from '../types';

const TOLERANCE_SEC = 300;

/** 'webhook' or 'svix': which header family the request uses. */
function family(headers: RawHeaders): 'webhook' | 'svix' | undefined {
  if (hasHeader(headers, 'webhook-signature') || hasHeader(headers, 'webhook-id')) return 'webhook';
  if (hasHeader(headers, 'svix-signature') || hasHeader(headers, 'svix-id')) return 'svix';
  return undefined;
}

type Keys = { hmacKey?: Buffer; publicKey?: KeyObject } | { problem: string };

/** Reads the secret(s) of a channel: `whsec_…` (or bare base64) for v1, `whpk_…` for v1a. */
function keysFrom(texts: Array<string | undefined>): Keys {
  const out: { hmacKey?: Buffer; publicKey?: KeyObject } = {};
  for (const raw of texts) {
    if (!raw) continue;
    const t = raw.trim();
    if (t.startsWith('whsk_')) {
      return { problem: "secret 'whsk_…' is a signing (private) key; verify with the whpk_ public key" };
    }
    if (t.startsWith('whpk_')) {
      const d = decode(t.slice(5), 'base64', "public key after 'whpk_'");
      if (!d.ok) return { problem: d.reason };
      const k = ed25519PublicKey(d.bytes);
      if (!k.ok) return { problem: k.reason };
      out.publicKey = k.key;
      continue;
    }
    const body = t.startsWith('whsec_') ? t.slice(6) : t;
    const d = decode(body, 'base64', t.startsWith('whsec_') ? "secret after 'whsec_'" : 'secret');
    if (!d.ok) return { problem: `${d.reason} (secrets look like whsec_<base64>)` };
    out.hmacKey = d.bytes;
  }
  return out;
}

/** Verifies Standard Webhooks headers with the given key texts; shared with GitLab's signing token. */
export function verifyStandardWebhooks(
  provider: ProviderId,
  req: VerifiableRequest,
  keyTexts: Array<string | undefined>,
  config: SecretConfig,
  now: number,
  hint: string,
): VerificationResult {
  const fam = family(req.headers) ?? 'webhook';
  const sigName = `${fam}-signature`;
  const sigHeader = headerValue(req.headers, sigName);
  const hasKey = keyTexts.some((k) => !!k);
  if (sigHeader === undefined) return missingSignature(provider, hasKey, sigName);
  if (!hasKey) return noSecret(provider, hint);
  const keys = keysFrom(keyTexts);
  if ('problem' in keys) return invalid(provider, 'secret-format', keys.problem);
  const id = headerValue(req.headers, `${fam}-id`);
  if (id === undefined) return invalid(provider, 'missing-header', `missing ${fam}-id header`);
  const tsRaw = headerValue(req.headers, `${fam}-timestamp`);
  const ts = parseUnixSeconds(tsRaw, `${fam}-timestamp`);
  if (!ts.ok)
    return invalid(provider, tsRaw === undefined ? 'missing-header' : 'malformed-header', ts.reason);
  const signed = concatBytes(`${id}.${tsRaw!.trim()}.`, req.body);
  const expected = keys.hmacKey ? hmac('sha256', keys.hmacKey, signed) : undefined;
  let problem: string | undefined;
  let matched = false;
  for (const item of sigHeader.split(' ').filter((s) => s !== '')) {
    const comma = item.indexOf(',');
    const version = comma === -1 ? '' : item.slice(0, comma);
    if (comma === -1) {
      problem ??= `${sigName} entry '${item.slice(0, 12)}' is not 'v1,<base64>'`;
      continue;
    }
    const d = decode(item.slice(comma + 1), 'base64', `${sigName} ${version}`);
    if (!d.ok) {
      problem ??= d.reason;
      continue;
    }
    if (version === 'v1' && expected) {
      if (d.bytes.length !== expected.length)
        problem ??= `${sigName} v1 is ${d.bytes.length} bytes, expected 32`;
      else if (bytesEqual(d.bytes, expected)) matched = true;
    } else if (version === 'v1a' && keys.publicKey) {
      if (edVerify(null, signed, keys.publicKey, d.bytes)) matched = true;
    }
    if (matched) break;
  }
  if (!matched) {
    const versions = sigHeader.split(' ').map((s) => s.split(',')[0]);
    if (!expected && !versions.includes('v1a')) {
      return invalid(
        provider,
        'secret-format',
        'only a whpk_ public key is configured, but the request has no v1a signature',
      );
    }
    if (problem) return invalid(provider, 'malformed-header', problem);
    return invalid(
      provider,
      'signature-mismatch',
      `${sigName} mismatch: the body, id, timestamp or secret differs`,
    );
  }
  const late = checkTolerance(ts.seconds, now, toleranceOf(config, TOLERANCE_SEC), 'both');
  if (late) return invalid(provider, 'timestamp-outside-tolerance', late);
  return valid(provider);
}

/** Signs with v1 (HMAC) and, when a `whsk_` private key is given, v1a (Ed25519). */
export function signStandardWebhooks(
  input: SignInput,
  secret: string | undefined,
  privateKey?: string,
): SignOutput {
  const fam = family(input.headers ?? []) ?? 'webhook';
  const id = headerValue(input.headers ?? [], `${fam}-id`) ?? `msg_${randomBytes(12).toString('hex')}`;
  const signed = concatBytes(`${id}.${input.now}.`, input.body);
  const sigs: string[] = [];
  if (secret) {
    const keys = keysFrom([secret]);
    if ('problem' in keys || !keys.hmacKey)
      throw new Error(`cannot sign: ${'problem' in keys ? keys.problem : 'no HMAC secret'}`);
    sigs.push(`v1,${encode(hmac('sha256', keys.hmacKey, signed), 'base64')}`);
  }
  if (privateKey?.startsWith('whsk_')) {
    const d = decode(privateKey.slice(5), 'base64', 'private key');
    const k = d.ok ? ed25519PrivateKey(d.bytes) : undefined;
    if (!k?.ok) throw new Error('cannot sign: whsk_ key is not a base64 Ed25519 key');
    sigs.push(`v1a,${edSign(null, signed, k.key).toString('base64')}`);
  }
  if (sigs.length === 0)
    throw new Error('Standard Webhooks signing needs a whsec_ secret or a whsk_ private key');
  return {
    headers: [
      [`${fam}-id`, id],
      [`${fam}-timestamp`, String(input.now)],
      [`${fam}-signature`, sigs.join(' ')],
    ],
  };
}

export const standardWebhooks: ProviderScheme = {
  id: 'standard-webhooks',
  label: 'Standard Webhooks / Svix',
  docs: 'https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md',
  secretHint: 'the endpoint signing secret (whsec_…), or a whpk_ public key for v1a',
  hasTimestamp: true,
  detect: (req) => family(req.headers) !== undefined,
  verify(req, config, now) {
    return verifyStandardWebhooks(
      'standard-webhooks',
      req,
      [config.secret, config.publicKey],
      config,
      now,
      this.secretHint,
    );
  },
  sign: (input, config) => signStandardWebhooks(input, config.secret, config.privateKey),
  eventInfo(req) {
    const fam = family(req.headers) ?? 'webhook';
    return { eventType: field(bodyJson(req), 'type'), eventId: headerValue(req.headers, `${fam}-id`) };
  },
};
