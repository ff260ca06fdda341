// Body-only HMAC schemes of commerce, forms and storage senders.
// Shopify      https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook
// WooCommerce  https://woocommerce.com/document/webhooks/ (class-wc-webhook.php generate_signature)
// Lemon Squeezy https://docs.lemonsqueezy.com/help/webhooks/signing-requests
// Typeform     https://www.typeform.com/developers/webhooks/secure-your-webhooks/
// Dropbox      https://www.dropbox.com/developers/reference/webhooks
import { bodyJson, bodyText, field, hasHeader, headerValue, queryParams, unsigned } from '../request-parts';
import type { ProviderScheme, VerifiableRequest } from '../types';
import { bodyHmacScheme } from './body-hmac';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

export const shopify = bodyHmacScheme({
  id: 'shopify',
  label: 'Shopify',
  docs: 'https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook',
  secretHint: "the app's client secret (API secret key)",
  headers: [
    { name: 'X-Shopify-Hmac-Sha256', algorithm: 'sha256' },
    { name: 'shopify-hmac-sha256', algorithm: 'sha256' },
  ],
  encoding: 'base64',
  detect: (req) => req.headers.some(([n]) => /^(x-)?shopify-/i.test(n)),
  eventInfo: (req) => ({
    eventType: headerValue(req.headers, 'X-Shopify-Topic') ?? headerValue(req.headers, 'shopify-topic'),
    eventId:
      headerValue(req.headers, 'X-Shopify-Event-Id') ??
      headerValue(req.headers, 'shopify-event-id') ??
      headerValue(req.headers, 'X-Shopify-Webhook-Id'),
  }),
});

const WC_SIGNATURE = 'X-WC-Webhook-Signature';

/** The unsigned `webhook_id=N` ping WooCommerce sends when a webhook is saved. */
function isWooPing(req: VerifiableRequest): boolean {
  return !hasHeader(req.headers, WC_SIGNATURE) && /^webhook_id=\d+$/.test(bodyText(req).trim());
}

const wooBase = bodyHmacScheme({
  id: 'woocommerce',
  label: 'WooCommerce',
  docs: 'https://woocommerce.com/document/webhooks/',
  secretHint: "the webhook's secret",
  headers: [{ name: WC_SIGNATURE, algorithm: 'sha256' }],
  encoding: 'base64',
  detect: (req) =>
    req.headers.some(([n]) => /^x-wc-webhook-/i.test(n)) ||
    /woocommerce/i.test(headerValue(req.headers, 'User-Agent') ?? ''),
  eventInfo: (req) => ({
    eventType: headerValue(req.headers, 'X-WC-Webhook-Topic'),
    eventId: headerValue(req.headers, 'X-WC-Webhook-Delivery-ID'),
  }),
  challenge: (req) =>
    req.method.toUpperCase() === 'POST' && isWooPing(req)
      ? { status: 200, headers: [['Content-Type', 'text/plain']], body: text('OK') }
      : undefined,
});

export const woocommerce: ProviderScheme = {
  ...wooBase,
  verify: (req, config, now) =>
    isWooPing(req)
      ? unsigned('woocommerce', 'WooCommerce ping (unsigned by design)')
      : wooBase.verify(req, config, now),
};

export const lemonsqueezy = bodyHmacScheme({
  id: 'lemonsqueezy',
  label: 'Lemon Squeezy',
  docs: 'https://docs.lemonsqueezy.com/help/webhooks/signing-requests',
  secretHint: "the webhook's signing secret",
  headers: [{ name: 'X-Signature', algorithm: 'sha256' }],
  encoding: 'hex',
  detect: (req) =>
    hasHeader(req.headers, 'X-Event-Name') ||
    (hasHeader(req.headers, 'X-Signature') && field(bodyJson(req), 'meta', 'event_name') !== undefined),
  eventInfo: (req) => ({
    eventType: headerValue(req.headers, 'X-Event-Name') ?? field(bodyJson(req), 'meta', 'event_name'),
  }),
});

export const typeform = bodyHmacScheme({
  id: 'typeform',
  label: 'Typeform',
  docs: 'https://www.typeform.com/developers/webhooks/secure-your-webhooks/',
  secretHint: "the webhook's secret",
  headers: [{ name: 'Typeform-Signature', algorithm: 'sha256', prefix: 'sha256=' }],
  encoding: 'base64',
  detect: (req) => hasHeader(req.headers, 'Typeform-Signature'),
  eventInfo(req) {
    const json = bodyJson(req);
    return { eventType: field(json, 'event_type'), eventId: field(json, 'event_id') };
  },
});

export const dropbox = bodyHmacScheme({
  id: 'dropbox',
  label: 'Dropbox',
  docs: 'https://www.dropbox.com/developers/reference/webhooks',
  secretHint: 'the app secret',
  headers: [{ name: 'X-Dropbox-Signature', algorithm: 'sha256' }],
  encoding: 'hex',
  detect: (req) => hasHeader(req.headers, 'X-Dropbox-Signature'),
  eventInfo: () => ({}),
  challenge(req) {
    if (req.method.toUpperCase() !== 'GET') return undefined;
    const q = queryParams(req);
    const challenge = q.get('challenge');
    if (challenge === null || [...q.keys()].length !== 1) return undefined;
    return {
      status: 200,
      headers: [
        ['Content-Type', 'text/plain'],
        ['X-Content-Type-Options', 'nosniff'],
      ],
      body: text(challenge),
    };
  },
});
