// Every provider scheme by id, the order detection tries them in, and the names users may type.
import { AppError } from '../../common/errors';
import { discord, sendgrid } from './providers/asymmetric';
import { dropbox, lemonsqueezy, shopify, typeform, woocommerce } from './providers/commerce';
import { generic } from './providers/generic';
import { bitbucket, github, intercom, jira, meta } from './providers/hub-signature';
import { mailgun } from './providers/mailgun';
import { linear, paddle } from './providers/paddle-linear';
import { paypal } from './providers/paypal';
import { slack, zoom } from './providers/slack-zoom';
import { hubspot, square } from './providers/square-hubspot';
import { standardWebhooks } from './providers/standard-webhooks';
import { stripe } from './providers/stripe';
import { gitlab, okta } from './providers/token-schemes';
import { twilio } from './providers/twilio';
import { twitch } from './providers/twitch';
import { PROVIDER_IDS, type ProviderId, type ProviderScheme, type VerifiableRequest } from './types';

export const SCHEMES: Record<ProviderId, ProviderScheme> = {
  stripe,
  github,
  'standard-webhooks': standardWebhooks,
  shopify,
  slack,
  twilio,
  square,
  paddle,
  linear,
  zoom,
  twitch,
  discord: discord,
  sendgrid: sendgrid,
  mailgun,
  gitlab,
  bitbucket,
  jira,
  intercom,
  typeform,
  hubspot,
  lemonsqueezy,
  woocommerce,
  meta,
  dropbox,
  okta,
  paypal,
  generic,
};

/**
 * Detection order: schemes with a unique header first; those sharing `X-Hub-Signature` from the most to the
 * least specific; GitLab before Standard Webhooks (its signing token uses `webhook-*` headers); Mailgun
 * last, as it is recognised by its body.
 */
const DETECT_ORDER: ProviderId[] = [
  'okta',
  'gitlab',
  'stripe',
  'shopify',
  'slack',
  'twilio',
  'sendgrid',
  'square',
  'paddle',
  'linear',
  'zoom',
  'twitch',
  'discord',
  'paypal',
  'hubspot',
  'typeform',
  'woocommerce',
  'dropbox',
  'jira',
  'bitbucket',
  'intercom',
  'meta',
  'github',
  'lemonsqueezy',
  'standard-webhooks',
  'mailgun',
];

/** Other names for a provider: the Svix family, Meta's products, spellings. */
const ALIASES: Record<string, ProviderId> = {
  svix: 'standard-webhooks',
  clerk: 'standard-webhooks',
  resend: 'standard-webhooks',
  standardwebhooks: 'standard-webhooks',
  'standard-webhook': 'standard-webhooks',
  facebook: 'meta',
  instagram: 'meta',
  whatsapp: 'meta',
  'lemon-squeezy': 'lemonsqueezy',
  woo: 'woocommerce',
  'twitch-eventsub': 'twitch',
  hmac: 'generic',
};

// The engine asks about one request more than once (which secret applies, then what to verify): the
// answer is kept per header list and body, the only inputs detectors read. Copies of a request made with
// a spread share both, so they share the answer; an edited request has new ones.
const detected = new WeakMap<
  object,
  { body: Uint8Array; length: number; provider: ProviderId | undefined }
>();

/** The provider a request came from, by its headers (Mailgun and Okta also by their body); never throws. */
export function detectProvider(req: VerifiableRequest): ProviderId | undefined {
  const known = detected.get(req.headers);
  if (known && known.body === req.body && known.length === req.headers.length) return known.provider;
  let provider: ProviderId | undefined;
  for (const id of DETECT_ORDER) {
    try {
      if (SCHEMES[id].detect(req)) {
        provider = id;
        break;
      }
    } catch {
      // a detector that trips over odd input simply does not match
    }
  }
  detected.set(req.headers, { body: req.body, length: req.headers.length, provider });
  return provider;
}

/** A provider id from what a user typed ('Stripe', 'svix', 'clerk'…), or undefined. */
export function resolveProviderId(name: string): ProviderId | undefined {
  const n = name.trim().toLowerCase();
  if ((PROVIDER_IDS as readonly string[]).includes(n)) return n as ProviderId;
  return ALIASES[n];
}

/** Like resolveProviderId, but a usage error that lists the known names. */
export function requireProviderId(name: string): ProviderId {
  const id = resolveProviderId(name);
  if (!id) {
    throw new AppError('bad_request', `unknown provider '${name}'; known: ${PROVIDER_IDS.join(', ')}`);
  }
  return id;
}

export function getScheme(id: ProviderId): ProviderScheme {
  return SCHEMES[id];
}
