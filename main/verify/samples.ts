// Sample webhooks for `hookline send`: a realistic body and the provider's event headers, unsigned.
import { AppError } from '../../common/errors';
import type { RawHeaders } from '../../common/model';
import { genericSample } from './generic-samples';
import { SAMPLES } from './sample-payloads';
import { PROVIDER_IDS, type ProviderId } from './types';

export interface SampleEvent {
  body: Uint8Array;
  /** Content-Type and event headers such as X-GitHub-Event; signature headers are added by signing. */
  headers: RawHeaders;
  eventName: string;
}

/**
 * A sample event for a provider: the named one, else the provider's first, else a generic body.
 * @param options.now unix seconds used for times inside the body; default the current time
 */
export function sampleEvent(
  provider: ProviderId,
  eventName?: string,
  options: { now?: number } = {},
): SampleEvent {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const own = SAMPLES.filter((s) => s.provider === provider);
  const def = eventName ? own.find((s) => s.eventName === eventName) : own[0];
  if (eventName && !def) {
    const fallback = genericSample(provider, now);
    if (fallback.eventName !== eventName) {
      const known = [...own.map((s) => s.eventName), fallback.eventName].join(', ');
      throw new AppError('bad_request', `no sample '${eventName}' for ${provider}; samples: ${known}`);
    }
  }
  if (def) {
    const built = def.build(now);
    return { body: new TextEncoder().encode(built.body), headers: built.headers, eventName: def.eventName };
  }
  const g = genericSample(provider, now);
  return { body: new TextEncoder().encode(g.body), headers: g.headers, eventName: g.eventName };
}

/** Every provider's sample events, for --help and the UI. */
export function listSampleEvents(): Array<{ provider: ProviderId; eventName: string; description?: string }> {
  const out: Array<{ provider: ProviderId; eventName: string; description?: string }> = [];
  for (const provider of PROVIDER_IDS) {
    const own = SAMPLES.filter((s) => s.provider === provider);
    for (const s of own) out.push({ provider, eventName: s.eventName, description: s.description });
    if (own.length === 0) out.push({ provider, eventName: genericSample(provider, 0).eventName });
  }
  return out;
}
