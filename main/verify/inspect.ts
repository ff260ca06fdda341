// What the engine learns about each stored request: provider, event type and id, and the verification.
import { AppError } from '../../common/errors';
import type { RawHeaders } from '../../common/model';
import { detectProvider, getScheme, resolveProviderId } from './registry';
import { hasHeader, invalid, replaceHeaders, unsigned } from './request-parts';
import type {
  ChallengeAnswer,
  EventInfo,
  InspectResult,
  ProviderId,
  SecretConfig,
  SignInput,
  VerifiableRequest,
  VerificationResult,
} from './types';

/** Providers whose handshakes are answered when no provider is forced, in this order. */
const CHALLENGE_ORDER: ProviderId[] = [
  'okta',
  'meta',
  'dropbox',
  'discord',
  'slack',
  'zoom',
  'twitch',
  'woocommerce',
];

function providerFor(req: VerifiableRequest, config: SecretConfig): ProviderId | undefined {
  if (config.provider) {
    // Accept aliases ('svix', 'clerk', 'resend', 'Stripe') from configs written by hand.
    const id = resolveProviderId(config.provider);
    if (!id) throw new AppError('bad_request', `unknown provider '${config.provider}'`);
    return id;
  }
  const detected = detectProvider(req);
  if (detected) return detected;
  if (config.generic && hasHeader(req.headers, config.generic.header)) return 'generic';
  return undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function compact(info: EventInfo): EventInfo {
  const out: EventInfo = {};
  if (info.eventType !== undefined) out.eventType = info.eventType;
  if (info.eventId !== undefined) out.eventId = info.eventId;
  return out;
}

/**
 * Provider, event type and id, and the verification of one request. Never throws: odd input becomes an
 * `invalid` verification with the reason.
 * @param options.now unix seconds, the time to check timestamps against
 */
export function inspectRequest(
  req: VerifiableRequest,
  config: SecretConfig | undefined,
  options: { now: number },
): InspectResult {
  const cfg = config ?? {};
  let provider: ProviderId | undefined;
  try {
    provider = providerFor(req, cfg);
    if (!provider) return { verification: unsigned(undefined) };
    const scheme = getScheme(provider);
    let verification: VerificationResult;
    try {
      verification = scheme.verify(req, cfg, options.now);
    } catch (e: unknown) {
      verification = invalid(provider, 'malformed-header', `could not verify: ${message(e)}`);
    }
    if (verification.code === 'signature-mismatch' && req.body.length === 0) {
      verification = { ...verification, reason: `${verification.reason} (the body is empty)` };
    }
    let info: EventInfo = {};
    try {
      info = compact(scheme.eventInfo(req));
    } catch {
      info = {};
    }
    return { provider, ...info, verification };
  } catch (e: unknown) {
    const verification: VerificationResult = { status: 'invalid', reason: `could not verify: ${message(e)}` };
    if (provider) verification.provider = provider;
    return provider ? { provider, verification } : { verification };
  }
}

/**
 * The answer to a provider handshake (Slack url_verification, Zoom endpoint.url_validation, Twitch
 * callback verification, Discord PING, Dropbox and Meta GET challenges, Okta verification, WooCommerce
 * ping), or undefined when the request is none of them or cannot be answered (e.g. no secret for Zoom).
 * Signatures are checked when a secret is set, but not their age: a handshake answer gives nothing away.
 */
export function answerChallenge(
  req: VerifiableRequest,
  config: SecretConfig | undefined,
  options: { now: number },
): ChallengeAnswer | undefined {
  const cfg: SecretConfig = { ...(config ?? {}), toleranceSec: 0 };
  const forced = cfg.provider ? resolveProviderId(cfg.provider) : undefined;
  if (cfg.provider && !forced) return undefined;
  const ids = forced ? [forced] : CHALLENGE_ORDER;
  for (const id of ids) {
    const scheme = getScheme(id);
    try {
      const answer = scheme.challenge?.(req, cfg, options.now);
      if (answer) return answer;
    } catch {
      // a malformed handshake is simply not answered
    }
  }
  return undefined;
}

/** Signs a request for `provider`: the headers to add or replace, and the body (Mailgun and Linear change it). */
export function signWebhook(
  provider: ProviderId,
  config: SecretConfig,
  input: SignInput,
): { headers: RawHeaders; body: Uint8Array } {
  const scheme = getScheme(provider);
  if (!scheme.sign) throw new AppError('bad_request', `${scheme.label} requests cannot be signed here`);
  try {
    const out = scheme.sign(input, config);
    return { headers: out.headers, body: out.body ?? input.body };
  } catch (e: unknown) {
    throw new AppError('bad_request', `cannot sign for ${scheme.label}: ${message(e)}`);
  }
}

/** The signature headers (and timestamp/id headers) to add or replace. See signWebhook for body-signed schemes. */
export function signRequest(provider: ProviderId, config: SecretConfig, input: SignInput): RawHeaders {
  return signWebhook(provider, config, input).headers;
}

const URL_SIGNED: ProviderId[] = ['twilio', 'square', 'hubspot'];

/**
 * Re-signs a captured request with the channel's secret and the current time, so the local handler's own
 * verification passes on an old event. Returns the request's headers with the signature (and timestamp)
 * headers replaced in place, and the body (changed only where the scheme keeps its time in the body).
 * Throws AppError('bad_request') when the provider is unknown or the secret is missing.
 */
export function resignRequest(
  req: VerifiableRequest,
  config: SecretConfig,
  options: { now: number },
): { headers: RawHeaders; body: Uint8Array } {
  const provider = providerFor(req, config);
  if (!provider)
    throw new AppError('bad_request', 'cannot tell which provider signed this request; set the provider');
  if (!req.url && URL_SIGNED.includes(provider)) {
    throw new AppError(
      'bad_request',
      `${getScheme(provider).label} signs the public URL; it is needed to re-sign`,
    );
  }
  const url = req.url ?? `http://localhost${req.path}${req.query ? `?${req.query}` : ''}`;
  const out = signWebhook(provider, config, {
    method: req.method,
    url,
    body: req.body,
    headers: req.headers,
    now: options.now,
  });
  let headers = replaceHeaders(req.headers, out.headers);
  if (out.body !== req.body && hasHeader(headers, 'content-length')) {
    headers = replaceHeaders(headers, [['content-length', String(out.body.length)]]);
  }
  return { headers, body: out.body };
}
