// Which verification secret applies to a request: the channel's own settings first, then a secret named
// after the detected provider (`hookline secrets set STRIPE_WEBHOOK_SECRET`).
import type { StoredRequest } from '../../common/model';
import type { ChannelConfig } from '../config/config-store';
import type { SecretsStore } from '../config/secrets-store';
import { detectProvider, type SecretConfig, type VerifiableRequest } from '../verify';

/** The conventional secret name for a provider, e.g. 'stripe' → 'STRIPE_WEBHOOK_SECRET'. */
export function providerSecretName(provider: string): string {
  return `${provider.replace(/[^a-z0-9]/gi, '_').toUpperCase()}_WEBHOOK_SECRET`;
}

export function secretConfigFor(
  channel: ChannelConfig,
  secrets: SecretsStore,
  request: VerifiableRequest,
): SecretConfig | undefined {
  const own = channel.verification as SecretConfig | undefined;
  if (own?.secret || own?.publicKey || own?.generic) return own;
  const provider = own?.provider ?? detectProvider(request);
  if (!provider) return own;
  const secret = secrets.get(providerSecretName(provider));
  // Naming the detected provider spares inspectRequest a second detection.
  return secret === undefined ? { ...own, provider } : { ...own, provider, secret };
}

/** The public URL a provider signed (Twilio, Square, HubSpot sign the URL they called). */
export function publicUrlOf(channel: ChannelConfig, request: Pick<StoredRequest, 'path' | 'query'>): string {
  return channel.url + request.path + (request.query ? `?${request.query}` : '');
}
