// Paddle Billing: `Paddle-Signature: ts=<unix>;h1=<hex>[;h1=…]`, HMAC-SHA256 over `${ts}:${body}`, 5 s
// (the SDK default). https://developer.paddle.com/webhooks/signature-verification
// Linear: `Linear-Signature` = hex HMAC-SHA256(raw body); the time is the body's `webhookTimestamp` (ms),
// ±60 s. https://developers.linear.app/docs/graphql/webhooks#securing-webhooks
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
import { checkTolerance, parseUnixMillis, parseUnixSeconds } from '../timestamps';
import type { ProviderScheme } from '../types';

const PADDLE = 'Paddle-Signature';

function parsePaddle(value: string): Map<string, string[]> {
  const parts = new Map<string, string[]>();
  for (const item of value.split(';')) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    const key = item.slice(0, eq).trim();
    parts.set(key, [...(parts.get(key) ?? []), item.slice(eq + 1).trim()]);
  }
  return parts;
}

export const paddle: ProviderScheme = {
  id: 'paddle',
  label: 'Paddle',
  docs: 'https://developer.paddle.com/webhooks/signature-verification',
  secretHint: "the notification destination's secret key (pdl_ntfset_…)",
  hasTimestamp: true,
  detect: (req) => hasHeader(req.headers, PADDLE),
  verify(req, config, now) {
    const header = headerValue(req.headers, PADDLE);
    if (header === undefined) return missingSignature('paddle', !!config.secret, PADDLE);
    if (!config.secret) return noSecret('paddle', this.secretHint);
    const parts = parsePaddle(header);
    const tsRaw = parts.get('ts')?.[0];
    const ts = parseUnixSeconds(tsRaw, `${PADDLE} ts=`);
    if (!ts.ok) return invalid('paddle', 'malformed-header', ts.reason);
    const h1 = parts.get('h1') ?? [];
    if (h1.length === 0) return invalid('paddle', 'malformed-header', `${PADDLE} has no h1= signature`);
    const match = matchAny(hmac('sha256', config.secret, `${tsRaw}:`, req.body), h1, 'hex', `${PADDLE} h1`);
    if (!match.ok) return invalid('paddle', match.code, match.reason);
    const late = checkTolerance(ts.seconds, now, toleranceOf(config, 5), 'age');
    return late ? invalid('paddle', 'timestamp-outside-tolerance', late) : valid('paddle');
  },
  sign(input, config) {
    if (!config.secret) throw new Error('Paddle signing needs the secret key');
    const h1 = encode(hmac('sha256', config.secret, `${input.now}:`, input.body), 'hex');
    return { headers: [[PADDLE, `ts=${input.now};h1=${h1}`]] };
  },
  eventInfo(req) {
    const json = bodyJson(req);
    return { eventType: field(json, 'event_type'), eventId: field(json, 'event_id') };
  },
};

const LINEAR = 'Linear-Signature';
const LINEAR_TS_FIELD = /("webhookTimestamp"\s*:\s*)(\d+)/;

export const linear: ProviderScheme = {
  id: 'linear',
  label: 'Linear',
  docs: 'https://developers.linear.app/docs/graphql/webhooks#securing-webhooks',
  secretHint: "the webhook's signing secret",
  hasTimestamp: true,
  detect: (req) => hasHeader(req.headers, LINEAR) || hasHeader(req.headers, 'Linear-Delivery'),
  verify(req, config, now) {
    const sig = headerValue(req.headers, LINEAR);
    if (sig === undefined) return missingSignature('linear', !!config.secret, LINEAR);
    if (!config.secret) return noSecret('linear', this.secretHint);
    const match = matchAny(hmac('sha256', config.secret, req.body), [sig.trim()], 'hex', `${LINEAR}`);
    if (!match.ok) return invalid('linear', match.code, match.reason);
    const raw = field(bodyJson(req), 'webhookTimestamp') ?? headerValue(req.headers, 'Linear-Timestamp');
    if (raw === undefined) return valid('linear');
    const ts = parseUnixMillis(raw, 'webhookTimestamp');
    if (!ts.ok) return invalid('linear', 'malformed-body', ts.reason);
    const late = checkTolerance(ts.seconds, now, toleranceOf(config, 60), 'both');
    return late ? invalid('linear', 'timestamp-outside-tolerance', late) : valid('linear');
  },
  /** Moves the body's `webhookTimestamp` (and the Linear-Timestamp header) to now, then signs the body. */
  sign(input, config) {
    if (!config.secret) throw new Error('Linear signing needs the signing secret');
    const ms = String(input.now * 1000);
    const text = new TextDecoder().decode(input.body);
    const body = LINEAR_TS_FIELD.test(text)
      ? new TextEncoder().encode(text.replace(LINEAR_TS_FIELD, (_m, pre: string) => `${pre}${ms}`))
      : input.body;
    const sig = encode(hmac('sha256', config.secret, body), 'hex');
    return {
      headers: [
        [LINEAR, sig],
        ['Linear-Timestamp', ms],
      ],
      body,
    };
  },
  eventInfo(req) {
    const json = bodyJson(req);
    return {
      eventType: headerValue(req.headers, 'Linear-Event') ?? field(json, 'type'),
      eventId: headerValue(req.headers, 'Linear-Delivery'),
    };
  },
};
