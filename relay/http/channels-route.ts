// `POST /api/channels` (create) and `GET /api/channels/:id` (inspect, with the channel token).
import { timingSafeEqual } from 'node:crypto';
import express, { type Request, type Router } from 'express';
import { AppError } from '../../common/errors';
import { CHANNEL_ID_PATTERN, asChannelId, type ChannelId } from '../../common/ids';
import { RESPONSE_MODES, type ResponseMode } from '../../common/model';
import type { ChannelDirectory } from '../channel-directory';
import { bearerToken, hashToken, newChannelId, newToken, tokenMatches } from '../channel-secrets';
import type { RelayMetrics } from '../metrics';
import type { RateLimiter } from '../rate-limiter';

export interface ChannelsRouteOptions {
  channels: ChannelDirectory;
  metrics: RelayMetrics;
  /** When set, creation needs it as a bearer token; when not, creation is limited per IP. */
  adminToken: string | undefined;
  createLimiter: RateLimiter;
  /** Base URL for channel URLs, e.g. 'https://relay.example.com'. */
  publicUrl(): string;
  subscriberCount(channelId: ChannelId): number;
  /** Newest seq of a channel. */
  head(channelId: ChannelId, known: number): number;
  now(): number;
}

export function channelsRoute(o: ChannelsRouteOptions): Router {
  const router = express.Router();
  const adminHash = o.adminToken === undefined ? undefined : hashToken(o.adminToken);

  router.post('/api/channels', express.json({ limit: '16kb' }), async (req, res) => {
    if (adminHash) {
      const presented = bearerToken(req.headers.authorization);
      if (!presented || !timingSafeEqual(hashToken(presented), adminHash)) {
        throw new AppError(
          'unauthorized',
          'Creating a channel on this relay needs its admin token (Authorization: Bearer …).',
        );
      }
    } else {
      const taken = o.createLimiter.take(req.socket.remoteAddress ?? 'unknown');
      if (!taken.ok) {
        throw new AppError(
          'rate_limited',
          `Too many channels created from this address; retry after ${taken.retryAfterSec} s.`,
          {
            retryAfter: taken.retryAfterSec,
          },
        );
      }
    }
    const { name, responseMode } = parseCreateBody(req);
    const token = newToken();
    const channel = await o.channels.create({
      id: name ?? newChannelId(),
      tokenHash: hashToken(token),
      responseMode,
      createdAt: o.now(),
    });
    o.metrics.channelsCreated += 1;
    res.status(201).json({ id: channel.id, url: channelUrl(o, channel.id), token, responseMode });
  });

  router.get('/api/channels/:id', async (req, res) => {
    const id = req.params.id ?? '';
    const channel = CHANNEL_ID_PATTERN.test(id) ? await o.channels.get(asChannelId(id)) : undefined;
    if (!channel) throw new AppError('channel_not_found', `No channel '${id.slice(0, 64)}' on this relay.`);
    const token = bearerToken(req.headers.authorization);
    if (!token || !tokenMatches(token, channel.tokenHash))
      throw new AppError('unauthorized', 'Wrong channel token.');
    res.json({
      id: channel.id,
      url: channelUrl(o, channel.id),
      responseMode: channel.responseMode,
      subscribers: o.subscriberCount(channel.id),
      lastSeq: o.head(channel.id, channel.lastSeq),
    });
  });

  return router;
}

function channelUrl(o: ChannelsRouteOptions, id: string): string {
  return `${o.publicUrl()}/h/${id}`;
}

function parseCreateBody(req: Request): { name?: ChannelId; responseMode: ResponseMode } {
  const body: unknown = req.body ?? {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('bad_request', 'The body must be a JSON object: {"name"?, "responseMode"?}.');
  }
  const { name, responseMode = 'ack' } = body as Record<string, unknown>;
  if (name !== undefined && (typeof name !== 'string' || !CHANNEL_ID_PATTERN.test(name))) {
    throw new AppError('bad_request', "'name' must be 1–64 characters of A–Z, a–z, 0–9, '_' or '-'.");
  }
  if (!RESPONSE_MODES.includes(responseMode as ResponseMode)) {
    throw new AppError('bad_request', `'responseMode' must be one of ${RESPONSE_MODES.join(', ')}.`);
  }
  const out: { name?: ChannelId; responseMode: ResponseMode } = {
    responseMode: responseMode as ResponseMode,
  };
  if (name !== undefined) out.name = asChannelId(name as string);
  return out;
}
