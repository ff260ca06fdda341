// Twitch EventSub: `Twitch-Eventsub-Message-Signature: sha256=<hex>` = HMAC-SHA256(secret, id + timestamp
// + body) with the `-Message-Id` and RFC 3339 `-Message-Timestamp` headers; reject when older than 10 min.
// https://dev.twitch.tv/docs/eventsub/handling-webhook-events/#verifying-the-event-message
import { randomUUID } from 'node:crypto';
import { encode, hmac, matchAny } from '../crypto-helpers';
import {
  bodyJson,
  field,
  headerValue,
  invalid,
  missingSignature,
  noSecret,
  toleranceOf,
  valid,
} from '../request-parts';
import { checkTolerance, parseRfc3339 } from '../timestamps';
import type { ProviderScheme } from '../types';

const SIG = 'Twitch-Eventsub-Message-Signature';
const ID = 'Twitch-Eventsub-Message-Id';
const TS = 'Twitch-Eventsub-Message-Timestamp';
const TYPE = 'Twitch-Eventsub-Message-Type';

export const twitch: ProviderScheme = {
  id: 'twitch',
  label: 'Twitch EventSub',
  docs: 'https://dev.twitch.tv/docs/eventsub/handling-webhook-events/#verifying-the-event-message',
  secretHint: "the subscription's secret",
  hasTimestamp: true,
  detect: (req) => req.headers.some(([n]) => /^twitch-eventsub-/i.test(n)),
  verify(req, config, now) {
    const sig = headerValue(req.headers, SIG);
    if (sig === undefined) return missingSignature('twitch', !!config.secret, SIG);
    if (!config.secret) return noSecret('twitch', this.secretHint);
    const id = headerValue(req.headers, ID);
    if (id === undefined) return invalid('twitch', 'missing-header', `missing ${ID} header`);
    const tsRaw = headerValue(req.headers, TS);
    const ts = parseRfc3339(tsRaw, TS);
    if (!ts.ok)
      return invalid('twitch', tsRaw === undefined ? 'missing-header' : 'malformed-header', ts.reason);
    const value = sig.trim();
    if (!value.startsWith('sha256='))
      return invalid('twitch', 'malformed-header', `${SIG} should start with 'sha256='`);
    const match = matchAny(hmac('sha256', config.secret, id, tsRaw!, req.body), [value.slice(7)], 'hex', SIG);
    if (!match.ok) return invalid('twitch', match.code, match.reason);
    const late = checkTolerance(ts.seconds, now, toleranceOf(config, 600), 'age');
    return late ? invalid('twitch', 'timestamp-outside-tolerance', late) : valid('twitch');
  },
  sign(input, config) {
    if (!config.secret) throw new Error('Twitch signing needs the subscription secret');
    const id = headerValue(input.headers ?? [], ID) ?? randomUUID();
    const ts = new Date(input.now * 1000).toISOString();
    const sig = encode(hmac('sha256', config.secret, id, ts, input.body), 'hex');
    return {
      headers: [
        [ID, id],
        [TS, ts],
        [SIG, `sha256=${sig}`],
      ],
    };
  },
  eventInfo: (req) => ({
    eventType: headerValue(req.headers, 'Twitch-Eventsub-Subscription-Type'),
    eventId: headerValue(req.headers, ID),
  }),
  /** webhook_callback_verification: answer the body's `challenge`, as text/plain. */
  challenge(req, config, now) {
    if (headerValue(req.headers, TYPE) !== 'webhook_callback_verification') return undefined;
    const challenge = field(bodyJson(req), 'challenge');
    if (challenge === undefined || twitch.verify(req, config, now).status === 'invalid') return undefined;
    return {
      status: 200,
      headers: [['Content-Type', 'text/plain']],
      body: new TextEncoder().encode(challenge),
    };
  },
};
