// Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]`, HMAC-SHA256 over `${t}.${body}` with the endpoint
// secret used verbatim (the `whsec_` prefix is part of the key). https://docs.stripe.com/webhooks#verify-manually
import { encode, hmac, matchAny } from '../crypto-helpers';
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
import type { ProviderScheme, SecretConfig, VerificationResult } from '../types';

const HEADER = 'Stripe-Signature';
const TOLERANCE_SEC = 300;

/** `t=…,v1=…,v0=…` → its parts; repeated keys (rotation) are all kept. */
export function parseStripeHeader(value: string): Map<string, string[]> {
  const parts = new Map<string, string[]>();
  for (const item of value.split(',')) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    const key = item.slice(0, eq).trim();
    const list = parts.get(key) ?? [];
    list.push(item.slice(eq + 1).trim());
    parts.set(key, list);
  }
  return parts;
}

function secretProblem(secret: string): string | undefined {
  if (/^(sk|pk|rk)_(test|live)_/.test(secret)) {
    return `secret '${secret.slice(0, 8)}…' is a Stripe API key; webhooks are signed with the endpoint's signing secret (whsec_…)`;
  }
  return undefined;
}

export const stripe: ProviderScheme = {
  id: 'stripe',
  label: 'Stripe',
  docs: 'https://docs.stripe.com/webhooks#verify-manually',
  secretHint: "the endpoint's signing secret (whsec_…)",
  hasTimestamp: true,
  detect: (req) => hasHeader(req.headers, HEADER),
  verify(req, config: SecretConfig, now): VerificationResult {
    const header = headerValue(req.headers, HEADER);
    if (header === undefined) return missingSignature('stripe', !!config.secret, HEADER);
    if (!config.secret) return noSecret('stripe', this.secretHint);
    const wrong = secretProblem(config.secret);
    if (wrong) return invalid('stripe', 'secret-format', wrong);
    const parts = parseStripeHeader(header);
    const t = parts.get('t')?.[0];
    const time = parseUnixSeconds(t, `${HEADER} t=`);
    if (!time.ok) return invalid('stripe', 'malformed-header', time.reason);
    const v1 = parts.get('v1') ?? [];
    if (v1.length === 0) return invalid('stripe', 'malformed-header', `${HEADER} has no v1= signature`);
    const expected = hmac('sha256', config.secret, `${t}.`, req.body);
    const match = matchAny(expected, v1, 'hex', `${HEADER} v1 signature`);
    if (!match.ok) return invalid('stripe', match.code, match.reason);
    const late = checkTolerance(time.seconds, now, toleranceOf(config, TOLERANCE_SEC), 'age');
    if (late) return invalid('stripe', 'timestamp-outside-tolerance', late);
    return valid('stripe');
  },
  sign(input, config) {
    if (!config.secret) throw new Error('Stripe signing needs the endpoint signing secret');
    const sig = encode(hmac('sha256', config.secret, `${input.now}.`, input.body), 'hex');
    return { headers: [[HEADER, `t=${input.now},v1=${sig}`]] };
  },
  eventInfo(req) {
    const json = bodyJson(req);
    return { eventType: field(json, 'type'), eventId: field(json, 'id') };
  },
};
