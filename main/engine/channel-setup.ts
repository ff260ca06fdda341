// Finds or creates the channel `listen` subscribes to, so `listen` again gets the same URL, and binds
// the embedded relay to the port it had before.
import { AppError } from '../../common/errors';
import type { ResponseMode } from '../../common/model';
import type { Relay } from '../../relay/create-relay';
import type { ChannelConfig, ConfigStore } from '../config/config-store';
import type { EngineOptions } from './create-engine';

export interface CreatedChannel {
  id: string;
  url: string;
  token: string;
}

export interface CreateChannelOptions {
  /** The relay's base URL, e.g. http://127.0.0.1:8787 */
  relayUrl: string;
  name?: string;
  responseMode?: ResponseMode;
  adminToken?: string;
  fetchImpl?: typeof fetch;
}

/** `POST /api/channels` on the relay; every failure becomes one AppError that says what to do. */
export async function createChannel(options: CreateChannelOptions): Promise<CreatedChannel> {
  const { relayUrl, name, responseMode, adminToken, fetchImpl = fetch } = options;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (adminToken) headers.authorization = `Bearer ${adminToken}`;
  let res: Response;
  try {
    res = await fetchImpl(new URL('/api/channels', relayUrl), {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...(name ? { name } : {}), ...(responseMode ? { responseMode } : {}) }),
    });
  } catch (e: unknown) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new AppError(
      'relay_unreachable',
      `cannot reach the relay at ${relayUrl} (${cause?.code ?? cause?.message ?? String(e)}); ` +
        `check the URL, or leave out --relay to use the embedded one`,
    );
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AppError(
      'relay_unreachable',
      `${relayUrl} answered ${res.status} with something that is not a Hookline relay`,
    );
  }
  if (!res.ok) {
    const err = (body as { error?: { code?: string; message?: string } }).error;
    const message = `the relay refused to create a channel: ${err?.message ?? res.status}`;
    if (res.status === 401) throw new AppError('unauthorized', `${message} (pass --admin-token)`);
    if (res.status === 409) throw new AppError('name_taken', message);
    throw new AppError('relay_unreachable', message);
  }
  const { id, url, token } = body as Partial<CreatedChannel>;
  if (typeof id !== 'string' || typeof url !== 'string' || typeof token !== 'string') {
    throw new AppError('relay_unreachable', `${relayUrl} answered without a channel id, url and token`);
  }
  return { id, url, token };
}

/** http(s)://relay → ws(s)://relay/api/channels/<id>/stream */
export function streamUrlFor(relayUrl: string, channelId: string): string {
  const url = new URL(`/api/channels/${encodeURIComponent(channelId)}/stream`, relayUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/** Listens on the remembered port when it is free, else on any free one, so channel URLs stay stable. */
export async function listenPreferring(
  relay: Pick<Relay, 'listen'>,
  port: number | undefined,
): Promise<{ port: number; url: string }> {
  if (port) {
    try {
      return await relay.listen(port, '127.0.0.1');
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    }
  }
  return relay.listen(0, '127.0.0.1');
}

/** The channel named, else the one remembered for this relay, else a new one (saved to the config). */
export async function resolveChannel(
  config: ConfigStore,
  relayUrl: string,
  options: Pick<EngineOptions, 'channelId' | 'newChannel' | 'responseMode' | 'adminToken'>,
): Promise<ChannelConfig> {
  if (options.channelId) {
    const known = config.getChannel(options.channelId);
    if (known) return known;
  } else if (!options.newChannel) {
    const remembered = config.defaultChannelFor(relayUrl);
    if (remembered) return remembered;
  }
  const created = await createChannel({
    relayUrl,
    ...(options.channelId ? { name: options.channelId } : {}),
    ...(options.responseMode ? { responseMode: options.responseMode } : {}),
    ...(options.adminToken ? { adminToken: options.adminToken } : {}),
  });
  const channel: ChannelConfig = {
    id: created.id,
    url: created.url,
    token: created.token,
    relayUrl,
    responseMode: options.responseMode ?? 'ack',
    createdAt: Date.now(),
  };
  await config.upsertChannel(channel);
  return channel;
}
