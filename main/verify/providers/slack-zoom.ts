// Slack and Zoom sign `v0:${timestamp}:${body}` with HMAC-SHA256, sent hex as `v0=<hex>` beside a unix
// timestamp header.
// Slack https://api.slack.com/authentication/verifying-requests-from-slack (tolerance 5 min)
// Zoom  https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events (no documented window; 300 s here)
import { encode, hmac, matchAny } from '../crypto-helpers';
import {
  bodyJson,
  bodyText,
  field,
  formPairs,
  hasHeader,
  headerValue,
  invalid,
  isFormBody,
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
  VerifiableRequest,
  VerificationResult,
} from '../types';

interface V0Names {
  provider: ProviderId;
  signature: string;
  timestamp: string;
  hint: string;
}

function verifyV0(n: V0Names, req: VerifiableRequest, config: SecretConfig, now: number): VerificationResult {
  const sig = headerValue(req.headers, n.signature);
  if (sig === undefined) return missingSignature(n.provider, !!config.secret, n.signature);
  if (!config.secret) return noSecret(n.provider, n.hint);
  const tsRaw = headerValue(req.headers, n.timestamp);
  const ts = parseUnixSeconds(tsRaw, n.timestamp);
  if (!ts.ok)
    return invalid(n.provider, tsRaw === undefined ? 'missing-header' : 'malformed-header', ts.reason);
  const value = sig.trim();
  if (!value.startsWith('v0='))
    return invalid(n.provider, 'malformed-header', `${n.signature} should start with 'v0='`);
  const expected = hmac('sha256', config.secret, `v0:${tsRaw!.trim()}:`, req.body);
  const match = matchAny(expected, [value.slice(3)], 'hex', `${n.signature} signature`);
  if (!match.ok) return invalid(n.provider, match.code, match.reason);
  const late = checkTolerance(ts.seconds, now, toleranceOf(config, 300), 'both');
  if (late) return invalid(n.provider, 'timestamp-outside-tolerance', late);
  return valid(n.provider);
}

function signV0(n: V0Names, input: SignInput, config: SecretConfig) {
  if (!config.secret) throw new Error(`signing needs ${n.hint}`);
  const sig = encode(hmac('sha256', config.secret, `v0:${input.now}:`, input.body), 'hex');
  return {
    headers: [
      [n.timestamp, String(input.now)],
      [n.signature, `v0=${sig}`],
    ] as Array<[string, string]>,
  };
}

const json = (value: unknown) => ({
  status: 200,
  headers: [['Content-Type', 'application/json']] as Array<[string, string]>,
  body: new TextEncoder().encode(JSON.stringify(value)),
});

const SLACK: V0Names = {
  provider: 'slack',
  signature: 'X-Slack-Signature',
  timestamp: 'X-Slack-Request-Timestamp',
  hint: "the app's signing secret",
};

export const slack: ProviderScheme = {
  id: 'slack',
  label: 'Slack',
  docs: 'https://api.slack.com/authentication/verifying-requests-from-slack',
  secretHint: SLACK.hint,
  hasTimestamp: true,
  detect: (req) => hasHeader(req.headers, SLACK.signature) || hasHeader(req.headers, SLACK.timestamp),
  verify: (req, config, now) => verifyV0(SLACK, req, config, now),
  sign: (input, config) => signV0(SLACK, input, config),
  eventInfo(req) {
    if (isFormBody(req)) {
      const form = new Map(formPairs(bodyText(req)));
      const payload = form.get('payload');
      if (payload !== undefined) {
        try {
          return { eventType: field(JSON.parse(payload) as unknown, 'type') };
        } catch {
          return {};
        }
      }
      return { eventType: form.get('command') ?? undefined, eventId: form.get('trigger_id') ?? undefined };
    }
    const body = bodyJson(req);
    const type = field(body, 'type');
    return {
      eventType: type === 'event_callback' ? (field(body, 'event', 'type') ?? type) : type,
      eventId: field(body, 'event_id'),
    };
  },
  challenge(req, config, now) {
    const body = bodyJson(req);
    const challenge = field(body, 'challenge');
    if (field(body, 'type') !== 'url_verification' || challenge === undefined) return undefined;
    if (slack.verify(req, config, now).status === 'invalid') return undefined;
    return {
      status: 200,
      headers: [['Content-Type', 'text/plain']],
      body: new TextEncoder().encode(challenge),
    };
  },
};

const ZOOM: V0Names = {
  provider: 'zoom',
  signature: 'x-zm-signature',
  timestamp: 'x-zm-request-timestamp',
  hint: "the app's webhook secret token",
};

export const zoom: ProviderScheme = {
  id: 'zoom',
  label: 'Zoom',
  docs: 'https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events',
  secretHint: ZOOM.hint,
  hasTimestamp: true,
  detect: (req) => hasHeader(req.headers, ZOOM.signature) || hasHeader(req.headers, 'x-zm-trackingid'),
  verify: (req, config, now) => verifyV0(ZOOM, req, config, now),
  sign: (input, config) => signV0(ZOOM, input, config),
  eventInfo: (req) => ({ eventType: field(bodyJson(req), 'event') }),
  /** endpoint.url_validation: answer `{plainToken, encryptedToken: hex HMAC-SHA256(secret, plainToken)}`. */
  challenge(req, config, now) {
    const body = bodyJson(req);
    const plainToken = field(body, 'payload', 'plainToken');
    if (field(body, 'event') !== 'endpoint.url_validation' || plainToken === undefined || !config.secret) {
      return undefined;
    }
    if (zoom.verify(req, config, now).status === 'invalid') return undefined;
    return json({ plainToken, encryptedToken: encode(hmac('sha256', config.secret, plainToken), 'hex') });
  },
};
