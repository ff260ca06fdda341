import { describe, expect, it } from 'vitest';
import type { RawHeaders } from '../../../common/model';
import { inspectRequest, type SecretConfig } from '../../../main/verify';
import { loadVectors, pairs, requestOf } from './load-fixtures';

const stripeVector = loadVectors().find((v) => v.id === 'stripe-official-valid')!;
const swVector = loadVectors().find((v) => v.id === 'stdwebhooks-official-valid')!;
const slackVector = loadVectors().find((v) => v.id === 'slack-official-valid')!;

function check(
  provider: SecretConfig['provider'],
  secret: string,
  headers: RawHeaders,
  body: string,
  now: number,
) {
  return inspectRequest(requestOf('POST', null, headers, body), { provider, secret }, { now }).verification;
}

describe('bad input is a clear invalid, never a throw', () => {
  it('names a missing signature header', () => {
    const v = check('stripe', 'whsec_x', [['Content-Type', 'application/json']], '{}', 1);
    expect(v).toMatchObject({ status: 'invalid', code: 'missing-header' });
    expect(v.reason).toContain('Stripe-Signature');
  });

  it('is unsigned when no header and no secret', () => {
    const v = inspectRequest(requestOf('POST', null, [], '{}'), undefined, { now: 1 }).verification;
    expect(v.status).toBe('unsigned');
  });

  it('explains a header full of garbage', () => {
    const v = check('stripe', 'whsec_x', [['Stripe-Signature', '%%%garbage%%%']], '{}', 1);
    expect(v).toMatchObject({ status: 'invalid', code: 'malformed-header' });
  });

  it('explains a truncated signature', () => {
    const [name, value] = Object.entries(stripeVector.headers)[0]!;
    const truncated = value.replace(/v1=([0-9a-f]+)/, (_m, h: string) => `v1=${h.slice(0, 40)}`);
    const v = check(
      'stripe',
      stripeVector.secret,
      [[name, truncated]],
      stripeVector.body,
      stripeVector.now_unix,
    );
    expect(v.status).toBe('invalid');
    expect(v.reason).toMatch(/20 bytes, expected 32/);
  });

  it('says when a signature is not hex', () => {
    const v = check('github', 's', [['X-Hub-Signature-256', 'sha256=zzzz']], '{}', 1);
    expect(v.reason).toContain('not valid hex');
  });

  it('says when a signature is not base64', () => {
    const v = check('shopify', 's', [['X-Shopify-Hmac-Sha256', '!!not base64!!']], '{}', 1);
    expect(v.reason).toContain('not valid base64');
  });

  it('says when a secret has the wrong prefix or format', () => {
    const v = check(
      'standard-webhooks',
      'whsec_!!!',
      pairs(swVector.headers),
      swVector.body,
      swVector.now_unix,
    );
    expect(v).toMatchObject({ status: 'invalid', code: 'secret-format' });
    const api = check(
      'stripe',
      'sk_test_123',
      pairs(stripeVector.headers),
      stripeVector.body,
      stripeVector.now_unix,
    );
    expect(api.reason).toContain('API key');
  });

  it('notices a timestamp in milliseconds where seconds are expected', () => {
    const headers: RawHeaders = pairs(slackVector.headers).map(([n, val]) =>
      n === 'X-Slack-Request-Timestamp' ? [n, `${val}000`] : [n, val],
    );
    const v = check('slack', slackVector.secret, headers, slackVector.body, slackVector.now_unix);
    expect(v.reason).toContain('milliseconds');
  });

  it('says how far outside the tolerance a timestamp is', () => {
    const v = check(
      'stripe',
      stripeVector.secret,
      pairs(stripeVector.headers),
      stripeVector.body,
      1533204620 + 812,
    );
    expect(v).toMatchObject({ status: 'invalid', code: 'timestamp-outside-tolerance' });
    expect(v.reason).toBe('timestamp is 812 s old, outside the 300 s tolerance by 512 s');
  });

  it('flags an empty body', () => {
    const v = check('github', 'mysecret', [['X-Hub-Signature-256', `sha256=${'ab'.repeat(32)}`]], '', 1);
    expect(v.status).toBe('invalid');
    expect(v.reason).toContain('body is empty');
  });

  it('asks for the URL when the scheme signs it', () => {
    const v = check('twilio', 't', [['X-Twilio-Signature', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=']], 'a=b', 1);
    expect(v).toMatchObject({ status: 'invalid', code: 'url-needed' });
  });

  it('says which secret is needed when none is configured', () => {
    const v = inspectRequest(
      requestOf('POST', null, pairs(stripeVector.headers), stripeVector.body),
      undefined,
      {
        now: 1,
      },
    ).verification;
    expect(v).toMatchObject({ status: 'no-secret', provider: 'stripe' });
    expect(v.reason).toContain('whsec_');
  });

  it('survives every header being garbage for every provider', () => {
    const junk = '\u0000\uffff=,;v1=,t=,sha256=';
    const names = [
      'Stripe-Signature',
      'X-Hub-Signature-256',
      'webhook-signature',
      'X-Slack-Signature',
      'X-Twilio-Signature',
      'x-square-hmacsha256-signature',
      'Paddle-Signature',
      'Linear-Signature',
      'x-zm-signature',
      'Twitch-Eventsub-Message-Signature',
      'X-Signature-Ed25519',
      'X-Twilio-Email-Event-Webhook-Signature',
      'X-Gitlab-Token',
      'X-Hub-Signature',
      'Typeform-Signature',
      'X-HubSpot-Signature-v3',
      'X-Signature',
      'X-WC-Webhook-Signature',
      'X-Dropbox-Signature',
      'PAYPAL-TRANSMISSION-SIG',
      'Authorization',
    ];
    for (const name of names) {
      const headers: RawHeaders = [
        [name, junk],
        ['X-Signature-Timestamp', junk],
        ['webhook-timestamp', junk],
      ];
      const result = inspectRequest(
        requestOf('POST', 'https://x.test/', headers, junk),
        { secret: `${junk}-other` },
        { now: 1 },
      );
      expect(['invalid', 'no-secret', 'unsigned']).toContain(result.verification.status);
    }
  });
});
