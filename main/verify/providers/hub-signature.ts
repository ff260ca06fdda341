// Schemes that put a hex HMAC of the raw body in an `X-Hub-Signature[-256]: sha…=` header.
// GitHub   https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
// Meta     https://developers.facebook.com/docs/graph-api/webhooks/getting-started
// Bitbucket https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/#Secure-webhooks
// Jira     https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks
// Intercom https://developers.intercom.com/docs/references/webhooks/webhook-models#signed-notifications
import { tokensEqual } from '../crypto-helpers';
import { bodyJson, field, hasHeader, headerValue, isRecord, pick, queryParams } from '../request-parts';
import type { ChallengeAnswer, VerifiableRequest } from '../types';
import { bodyHmacScheme } from './body-hmac';

const SHA256 = { name: 'X-Hub-Signature-256', algorithm: 'sha256', prefix: 'sha256=' } as const;
const SHA1 = { name: 'X-Hub-Signature', algorithm: 'sha1', prefix: 'sha1=', alsoSign: true } as const;
const HUB_SHA256 = { name: 'X-Hub-Signature', algorithm: 'sha256', prefix: 'sha256=' } as const;

function isMetaBody(req: VerifiableRequest): boolean {
  const json = bodyJson(req);
  return isRecord(json) && typeof json.object === 'string' && Array.isArray(json.entry);
}

function isGithub(req: VerifiableRequest): boolean {
  return ['X-GitHub-Event', 'X-GitHub-Delivery', 'X-GitHub-Hook-ID'].some((h) => hasHeader(req.headers, h));
}

export const github = bodyHmacScheme({
  id: 'github',
  label: 'GitHub',
  docs: 'https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries',
  secretHint: "the webhook's secret",
  headers: [SHA256, SHA1],
  encoding: 'hex',
  detect: (req) =>
    isGithub(req) ||
    (hasHeader(req.headers, SHA256.name) && !isMetaBody(req)) ||
    /^sha1=/i.test(headerValue(req.headers, SHA1.name) ?? ''),
  eventInfo: (req) => ({
    eventType: headerValue(req.headers, 'X-GitHub-Event'),
    eventId: headerValue(req.headers, 'X-GitHub-Delivery'),
  }),
});

function metaChallenge(req: VerifiableRequest, verifyToken: string | undefined): ChallengeAnswer | undefined {
  if (req.method.toUpperCase() !== 'GET') return undefined;
  const q = queryParams(req);
  const challenge = q.get('hub.challenge');
  if (q.get('hub.mode') !== 'subscribe' || challenge === null || !verifyToken) return undefined;
  if (!tokensEqual(q.get('hub.verify_token') ?? '', verifyToken)) {
    return {
      status: 403,
      headers: [['Content-Type', 'text/plain']],
      body: new TextEncoder().encode('Forbidden'),
    };
  }
  return {
    status: 200,
    headers: [['Content-Type', 'text/plain']],
    body: new TextEncoder().encode(challenge),
  };
}

export const meta = bodyHmacScheme({
  id: 'meta',
  label: 'Meta',
  docs: 'https://developers.facebook.com/docs/graph-api/webhooks/getting-started',
  secretHint: 'the app secret (and a verify token for the GET challenge)',
  headers: [SHA256, SHA1],
  encoding: 'hex',
  detect: (req) =>
    (!isGithub(req) && hasHeader(req.headers, SHA256.name) && isMetaBody(req)) ||
    (req.method.toUpperCase() === 'GET' && queryParams(req).get('hub.mode') !== null),
  eventInfo(req) {
    const json = bodyJson(req);
    const changeField = field(json, 'entry', 0, 'changes', 0, 'field');
    const messaging = Array.isArray(pick(json, 'entry', 0, 'messaging'));
    return { eventType: changeField ?? (messaging ? 'messaging' : field(json, 'object')) };
  },
  challenge: (req, config) => metaChallenge(req, config.verifyToken),
});

export const bitbucket = bodyHmacScheme({
  id: 'bitbucket',
  label: 'Bitbucket',
  docs: 'https://support.atlassian.com/bitbucket-cloud/docs/manage-webhooks/#Secure-webhooks',
  secretHint: "the webhook's secret",
  headers: [HUB_SHA256],
  encoding: 'hex',
  detect: (req) => hasHeader(req.headers, 'X-Event-Key') || hasHeader(req.headers, 'X-Hook-UUID'),
  eventInfo: (req) => ({
    eventType: headerValue(req.headers, 'X-Event-Key'),
    eventId: headerValue(req.headers, 'X-Request-UUID'),
  }),
});

export const jira = bodyHmacScheme({
  id: 'jira',
  label: 'Jira',
  docs: 'https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks',
  secretHint: "the admin webhook's secret",
  headers: [HUB_SHA256],
  encoding: 'hex',
  detect: (req) =>
    hasHeader(req.headers, 'X-Atlassian-Webhook-Identifier') ||
    (hasHeader(req.headers, HUB_SHA256.name) && field(bodyJson(req), 'webhookEvent') !== undefined),
  eventInfo: (req) => ({
    eventType: field(bodyJson(req), 'webhookEvent'),
    eventId: headerValue(req.headers, 'X-Atlassian-Webhook-Identifier'),
  }),
});

export const intercom = bodyHmacScheme({
  id: 'intercom',
  label: 'Intercom',
  docs: 'https://developers.intercom.com/docs/references/webhooks/webhook-models#signed-notifications',
  secretHint: "the app's client secret",
  headers: [{ name: 'X-Hub-Signature', algorithm: 'sha1', prefix: 'sha1=' }],
  encoding: 'hex',
  detect: (req) =>
    /intercom/i.test(headerValue(req.headers, 'User-Agent') ?? '') ||
    (hasHeader(req.headers, 'X-Hub-Signature') && field(bodyJson(req), 'type') === 'notification_event'),
  eventInfo(req) {
    const json = bodyJson(req);
    return { eventType: field(json, 'topic'), eventId: field(json, 'id') };
  },
});
