// Schemes that send a shared token rather than a signature, compared in constant time.
// GitLab https://docs.gitlab.com/user/project/integrations/webhooks/#create-a-webhook — `X-Gitlab-Token`
//        carries the secret token verbatim; the newer signing token signs as Standard Webhooks
//        (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
// Okta   https://developer.okta.com/docs/concepts/event-hooks/ — a static header (usually Authorization)
//        configured on the hook; a GET with `X-Okta-Verification-Challenge` must be echoed as JSON.
import { tokensEqual } from '../crypto-helpers';
import {
  bodyContains,
  bodyJson,
  field,
  hasHeader,
  headerValue,
  invalid,
  missingSignature,
  noSecret,
  valid,
} from '../request-parts';
import type { ProviderScheme } from '../types';
import { signStandardWebhooks, verifyStandardWebhooks } from './standard-webhooks';

const GL_TOKEN = 'X-Gitlab-Token';

export const gitlab: ProviderScheme = {
  id: 'gitlab',
  label: 'GitLab',
  docs: 'https://docs.gitlab.com/user/project/integrations/webhooks/',
  secretHint: "the webhook's secret token (or its signing token, whsec_…)",
  hasTimestamp: true,
  detect: (req) => req.headers.some(([n]) => /^x-gitlab-/i.test(n)),
  verify(req, config, now) {
    const hasSig = hasHeader(req.headers, 'webhook-signature');
    const token = headerValue(req.headers, GL_TOKEN);
    if (!hasSig && token === undefined) {
      return missingSignature('gitlab', !!(config.secret ?? config.signingToken), GL_TOKEN);
    }
    if (!config.secret && !config.signingToken) return noSecret('gitlab', this.secretHint);
    if (hasSig) {
      const key = config.signingToken ?? config.secret;
      const r = verifyStandardWebhooks('gitlab', req, [key], config, now, this.secretHint);
      // With one configured secret, it may be the plain token instead: fall through to it.
      if (r.status === 'valid' || config.signingToken || token === undefined) return r;
    }
    if (!config.secret) return noSecret('gitlab', "the webhook's secret token");
    return tokensEqual(token!, config.secret)
      ? valid('gitlab')
      : invalid('gitlab', 'signature-mismatch', `${GL_TOKEN} does not match the configured secret token`);
  },
  sign(input, config) {
    const signing = config.signingToken ?? (config.secret?.startsWith('whsec_') ? config.secret : undefined);
    if (signing) return signStandardWebhooks(input, signing);
    if (!config.secret) throw new Error('GitLab needs the secret token');
    return { headers: [[GL_TOKEN, config.secret]] };
  },
  eventInfo: (req) => ({
    eventType: headerValue(req.headers, 'X-Gitlab-Event') ?? field(bodyJson(req), 'object_kind'),
    eventId: headerValue(req.headers, 'Idempotency-Key') ?? headerValue(req.headers, 'X-Gitlab-Event-UUID'),
  }),
};

const OKTA_CHALLENGE = 'X-Okta-Verification-Challenge';

export const okta: ProviderScheme = {
  id: 'okta',
  label: 'Okta event hooks',
  docs: 'https://developer.okta.com/docs/concepts/event-hooks/',
  secretHint: "the hook's authorization header value (e.g. 'Bearer …')",
  hasTimestamp: false,
  detect: (req) =>
    hasHeader(req.headers, OKTA_CHALLENGE) ||
    (bodyContains(req, 'com.okta.') && (field(bodyJson(req), 'eventType') ?? '').startsWith('com.okta.')),
  verify(req, config) {
    const name = config.authHeader ?? 'Authorization';
    const value = headerValue(req.headers, name);
    if (value === undefined) return missingSignature('okta', !!config.secret, name);
    if (!config.secret) return noSecret('okta', this.secretHint);
    return tokensEqual(value.trim(), config.secret.trim())
      ? valid('okta')
      : invalid('okta', 'signature-mismatch', `${name} header does not match the configured value`);
  },
  sign(_input, config) {
    if (!config.secret) throw new Error("Okta needs the hook's authorization header value");
    return { headers: [[config.authHeader ?? 'Authorization', config.secret]] };
  },
  eventInfo(req) {
    const json = bodyJson(req);
    return {
      eventType: field(json, 'data', 'events', 0, 'eventType') ?? field(json, 'eventType'),
      eventId: field(json, 'eventId'),
    };
  },
  /** One-time verification: `{"verification": <the challenge header>}`. */
  challenge(req, config, now) {
    const challenge = headerValue(req.headers, OKTA_CHALLENGE);
    if (challenge === undefined || req.method.toUpperCase() !== 'GET') return undefined;
    if (okta.verify(req, config, now).status === 'invalid') return undefined;
    return {
      status: 200,
      headers: [['Content-Type', 'application/json']],
      body: new TextEncoder().encode(JSON.stringify({ verification: challenge })),
    };
  },
};
