// Mailgun: the signature lives in the body, `signature.{timestamp, token, signature}` (JSON webhooks) or
// the form fields `timestamp`, `token`, `signature` (legacy and inbound routes); hex HMAC-SHA256(signing
// key, timestamp + token). The body itself is not covered. 300 s window here; Mailgun leaves it to the app.
// https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/#securing-webhooks
import { randomBytes } from 'node:crypto';
import { encode, hmac, matchAny } from '../crypto-helpers';
import {
  bodyContains,
  bodyJson,
  bodyText,
  field,
  formPairs,
  invalid,
  isRecord,
  missingSignature,
  noSecret,
  toleranceOf,
  valid,
} from '../request-parts';
import { checkTolerance, parseUnixSeconds } from '../timestamps';
import type { ProviderScheme, VerifiableRequest } from '../types';

interface MailgunSignature {
  timestamp?: string;
  token?: string;
  signature?: string;
  form: boolean;
}

function readSignature(req: VerifiableRequest): MailgunSignature | undefined {
  if (!bodyContains(req, 'signature')) return undefined; // most bodies: no need to parse them
  const json = bodyJson(req);
  if (isRecord(json)) {
    if (!isRecord(json.signature)) return undefined;
    return {
      timestamp: field(json, 'signature', 'timestamp'),
      token: field(json, 'signature', 'token'),
      signature: field(json, 'signature', 'signature'),
      form: false,
    };
  }
  const text = bodyText(req);
  if (!/(^|&)signature=/.test(text)) return undefined;
  const form = new Map(formPairs(text));
  return {
    timestamp: form.get('timestamp'),
    token: form.get('token'),
    signature: form.get('signature'),
    form: true,
  };
}

export const mailgun: ProviderScheme = {
  id: 'mailgun',
  label: 'Mailgun',
  docs: 'https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/#securing-webhooks',
  secretHint: 'the HTTP webhook signing key',
  hasTimestamp: true,
  detect(req) {
    const s = readSignature(req);
    return s !== undefined && s.token !== undefined && s.timestamp !== undefined;
  },
  verify(req, config, now) {
    const s = readSignature(req);
    if (s?.signature === undefined)
      return missingSignature('mailgun', !!config.secret, 'signature (body field)');
    if (!config.secret) return noSecret('mailgun', this.secretHint);
    if (s.token === undefined)
      return invalid('mailgun', 'malformed-body', 'signature.token is missing from the body');
    const ts = parseUnixSeconds(s.timestamp, 'signature.timestamp');
    if (!ts.ok) return invalid('mailgun', 'malformed-body', ts.reason);
    const match = matchAny(
      hmac('sha256', config.secret, s.timestamp!, s.token),
      [s.signature],
      'hex',
      'signature.signature',
    );
    if (!match.ok) {
      return invalid(
        'mailgun',
        match.code === 'malformed-header' ? 'malformed-body' : match.code,
        match.reason,
      );
    }
    const late = checkTolerance(ts.seconds, now, toleranceOf(config, 300), 'both');
    return late ? invalid('mailgun', 'timestamp-outside-tolerance', late) : valid('mailgun');
  },
  /** Writes a fresh timestamp, token and signature into the body (JSON or form). */
  sign(input, config) {
    if (!config.secret) throw new Error('Mailgun signing needs the webhook signing key');
    const timestamp = String(input.now);
    const token = randomBytes(25).toString('hex');
    const signature = encode(hmac('sha256', config.secret, timestamp, token), 'hex');
    const text = new TextDecoder().decode(input.body);
    const parsed = bodyJson(input);
    let out: string;
    if (isRecord(parsed)) {
      out = JSON.stringify({ ...parsed, signature: { timestamp, token, signature } });
    } else {
      const form = new URLSearchParams(text);
      form.set('timestamp', timestamp);
      form.set('token', token);
      form.set('signature', signature);
      out = form.toString();
    }
    return { headers: [], body: new TextEncoder().encode(out) };
  },
  eventInfo(req) {
    const json = bodyJson(req);
    if (isRecord(json)) {
      return { eventType: field(json, 'event-data', 'event'), eventId: field(json, 'event-data', 'id') };
    }
    const form = new Map(formPairs(bodyText(req)));
    return { eventType: form.get('event') ?? undefined, eventId: form.get('Message-Id') ?? undefined };
  },
};
