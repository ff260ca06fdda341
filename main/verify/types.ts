// The verification vocabulary shared by every provider scheme, the engine and the CLI.
//
// Terminology:
//   scheme  – how one provider signs a webhook: which headers, what bytes are signed, which algorithm
//   secret  – what the user configures per channel to check a scheme (HMAC key, token or public key)
//   resign  – recompute a request's signature with the current time, so an old event passes again
import type { RawHeaders, Verification } from '../../common/model';

export const PROVIDER_IDS = [
  'stripe',
  'github',
  'standard-webhooks',
  'shopify',
  'slack',
  'twilio',
  'square',
  'paddle',
  'linear',
  'zoom',
  'twitch',
  'discord',
  'sendgrid',
  'mailgun',
  'gitlab',
  'bitbucket',
  'jira',
  'intercom',
  'typeform',
  'hubspot',
  'lemonsqueezy',
  'woocommerce',
  'meta',
  'dropbox',
  'okta',
  'paypal',
  'generic',
] as const;

export type ProviderId = (typeof PROVIDER_IDS)[number];

/** A request as verification needs it: the exact bytes and header pairs, plus the public URL where signed. */
export interface VerifiableRequest {
  method: string;
  /** Full public URL including the query, as the sender addressed it; Twilio, Square and HubSpot sign it. */
  url?: string;
  /** Path as received (raw, percent-encoded). */
  path: string;
  /** Raw query string without '?', '' when none. */
  query: string;
  headers: RawHeaders;
  body: Uint8Array;
}

/** A user-defined HMAC scheme for senders Hookline does not know. */
export interface GenericHmacConfig {
  /** Header carrying the signature, e.g. 'X-Signature'. */
  header: string;
  /** node:crypto HMAC algorithm; default 'sha256'. */
  algorithm?: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  /** Encoding of the signature; default 'hex'. */
  encoding?: 'hex' | 'base64' | 'base64url';
  /** Text before the signature in the header, e.g. 'sha256='. Default none. */
  prefix?: string;
  /**
   * The signed content, default '{body}'. Placeholders: {body}, {timestamp}, {id}, {method}, {url},
   * {path}, {query}, {header:Name}.
   */
  template?: string;
  /** Header carrying a unix timestamp in seconds, for {timestamp} and the tolerance check. */
  timestampHeader?: string;
  /** Header carrying a message id, for {id}. */
  idHeader?: string;
  /** Several signatures in one header are split on this, e.g. ' ' or ','. Default: one signature. */
  separator?: string;
  /** How the secret text becomes the key; default 'utf8' (the text itself). */
  secretEncoding?: 'utf8' | 'hex' | 'base64';
  /** Seconds; default 300 when a timestampHeader is set. */
  toleranceSec?: number;
}

/** What a channel knows to verify (and re-sign) its requests. Every field is optional. */
export interface SecretConfig {
  /** Forced provider for the channel; otherwise detected from each request's headers. */
  provider?: ProviderId;
  /** HMAC secret or shared token; for Discord, SendGrid and Standard Webhooks v1a also the public key. */
  secret?: string;
  /** Public key: Discord hex, SendGrid base64 DER/PEM, Standard Webhooks `whpk_…`, PEM for others. */
  publicKey?: string;
  /** Private key to sign asymmetric schemes (PEM, Discord hex seed, Standard Webhooks `whsk_…`). */
  privateKey?: string;
  /** PayPal signing certificate (PEM), or its public key. Never fetched from the URL a request names. */
  certificate?: string;
  /** PayPal webhook id, part of the signed string. */
  webhookId?: string;
  /** Meta GET challenge `hub.verify_token`. */
  verifyToken?: string;
  /** GitLab signing token (`whsec_…`), when it differs from the secret token. */
  signingToken?: string;
  /** Okta: header carrying the static secret; default 'Authorization'. */
  authHeader?: string;
  generic?: GenericHmacConfig;
  /** Overrides the scheme's timestamp tolerance, in seconds; 0 skips the time check. */
  toleranceSec?: number;
}

/** Why a request is invalid, as a stable code beside the readable reason. */
export type InvalidCode =
  | 'signature-mismatch'
  | 'timestamp-outside-tolerance'
  | 'malformed-header'
  | 'missing-header'
  | 'secret-format'
  | 'url-needed'
  | 'malformed-body';

/** common/model's Verification plus a code for invalid results. */
export interface VerificationResult extends Verification {
  code?: InvalidCode;
}

export interface EventInfo {
  eventType?: string;
  eventId?: string;
}

export interface InspectResult extends EventInfo {
  provider?: ProviderId;
  verification: VerificationResult;
}

/** An HTTP answer the engine sends back through the relay (handshakes). */
export interface ChallengeAnswer {
  status: number;
  headers: RawHeaders;
  body: Uint8Array;
}

export interface SignInput {
  method: string;
  /** Public URL the sender addresses (signed by Twilio, Square, HubSpot). */
  url: string;
  body: Uint8Array;
  /** Headers the request already has; ids (webhook-id, Twitch message id…) are kept from here. */
  headers?: RawHeaders;
  /** Unix seconds. */
  now: number;
}

/** Headers to add or replace, and a new body where the scheme keeps its signature or time in the body. */
export interface SignOutput {
  headers: RawHeaders;
  body?: Uint8Array;
}

/** Everything one provider scheme does. Implementations never throw from `verify` or `eventInfo`. */
export interface ProviderScheme {
  id: ProviderId;
  /** Human name, e.g. 'Stripe'. */
  label: string;
  /** The page the scheme follows. */
  docs: string;
  /** Which secret the user must configure, for `no-secret` reasons and --help. */
  secretHint: string;
  /** True when the signed content carries a time that goes stale. */
  hasTimestamp: boolean;
  /** True when this request looks like it came from the provider (headers, or body shape). */
  detect(req: VerifiableRequest): boolean;
  verify(req: VerifiableRequest, config: SecretConfig, now: number): VerificationResult;
  sign?(input: SignInput, config: SecretConfig): SignOutput;
  eventInfo(req: VerifiableRequest): EventInfo;
  challenge?(req: VerifiableRequest, config: SecretConfig, now: number): ChallengeAnswer | undefined;
}
