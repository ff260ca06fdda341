// The relay as a factory: nothing happens until listen(). Wires the capture path (raw Node
// handler), the express API, the subscriber WebSocket, the store, and the timers that prune the
// buffer, flush ack cursors and ping subscribers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ChannelDirectory } from './channel-directory';
import { channelsRoute } from './http/channels-route';
import { errorMiddleware, notFoundHandler, onClientError } from './http/http-errors';
import { opsRoute } from './http/ops-route';
import { GroupCommitter } from './ingest/group-commit';
import { createIngestHandler } from './ingest/ingest-route';
import { WaitRegistry } from './ingest/wait-registry';
import { RelayMetrics } from './metrics';
import { RateLimiter } from './rate-limiter';
import { resolveRelayOptions, type RelayOptions } from './relay-options';
import type { DeliveryStore, PruneResult } from './store/delivery-store';
import { openSqliteDeliveryStore } from './store/sqlite-delivery-store';
import { ChannelHub } from './stream/channel-hub';
import { StreamServer } from './stream/stream-server';

export type { RelayOptions } from './relay-options';

export interface Relay {
  /** Binds and starts serving; port 0 picks a free one. Can be retried after an EADDRINUSE. */
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /**
   * Graceful stop: refuses new captures, finishes the ones in flight, closes subscriber sockets
   * with 1001, writes pending cursors and closes the store.
   */
  close(): Promise<void>;
  /**
   * Runs one prune pass now (it also runs every pruneIntervalMs): saves pending ack cursors, deletes
   * what every known subscriber acked, drops what is past retention or over the byte cap.
   */
  prune(): Promise<PruneResult>;
  /** The listening base URL (not the public one), once listening. */
  readonly url: string | undefined;
  readonly metrics: RelayMetrics;
}

/** How often pending ack cursors are written, in ms. */
const CURSOR_FLUSH_MS = 200;
/** How long close() waits for captures in flight before cutting connections, in ms. */
const DRAIN_TIMEOUT_MS = 10_000;

export function createRelay(input: RelayOptions & { store?: DeliveryStore }): Relay {
  const o = resolveRelayOptions(input);
  const metrics = new RelayMetrics();
  let store: DeliveryStore | undefined = input.store;
  const getStore = () => (store ??= openSqliteDeliveryStore(o.dataDir));
  const channels = new ChannelDirectory(getStore);
  const hub = new ChannelHub(getStore);
  const waits = new WaitRegistry(o.waitTimeoutMs);
  const committer = new GroupCommitter({ store: getStore, onCommitted: (batch) => hub.publish(batch) });
  /** Captures not yet answered, and who waits for there to be none. */
  let capturing = 0;
  let onIdle: (() => void) | undefined;
  let listeningUrl: string | undefined;
  let closing: Promise<void> | undefined;
  let server: Server | undefined;
  const timers: NodeJS.Timeout[] = [];

  const ingest = createIngestHandler({
    channels,
    committer,
    waits,
    metrics,
    channelLimiter: new RateLimiter(o.channelRateLimit, o.now),
    ipLimiter: new RateLimiter(o.ipRateLimit, o.now),
    maxBody: o.maxBody,
    maxHeaderCount: o.maxHeaderCount,
    waitTimeoutMs: o.waitTimeoutMs,
    subscriberCount: (id) => hub.subscriberCount(id),
    isClosing: () => closing !== undefined,
    now: o.now,
    captureStarted() {
      capturing += 1;
    },
    captureEnded() {
      capturing -= 1;
      if (capturing === 0) onIdle?.();
    },
  });
  const createLimiter = new RateLimiter(o.createRateLimit, o.now);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(
    channelsRoute({
      channels,
      metrics,
      adminToken: o.adminToken,
      createLimiter,
      publicUrl: () => o.publicUrl ?? listeningUrl ?? `http://${o.host}`,
      subscriberCount: (id) => hub.subscriberCount(id),
      head: (id, known) => hub.head(id, known),
      now: o.now,
    }),
  );
  app.use(
    opsRoute(metrics, async () => {
      const stats = await getStore().stats();
      return {
        buffered: stats.buffered,
        bufferedBytes: stats.bytes,
        subscribers: hub.totalSubscribers,
        waiting: waits.size,
      };
    }),
  );
  app.use(notFoundHandler);
  app.use(errorMiddleware);

  const stream = new StreamServer({
    store: getStore,
    hub,
    metrics,
    logger: o.logger,
    channels,
    waits,
    maxMessageBytes: o.maxMessageBytes,
    handshakeTimeoutMs: o.handshakeTimeoutMs,
    heartbeatMs: o.heartbeatMs,
  });

  // Captures skip express entirely: no middleware may touch their bytes, and the hot path pays
  // for one prefix check instead of a router walk.
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/h/')) ingest(req, res);
    else app(req, res);
  };

  async function prune(): Promise<PruneResult> {
    await hub.flushCursors();
    const result = await getStore().prune({
      olderThan: o.now() - o.retention,
      maxChannelBytes: o.maxChannelBytes,
    });
    if (result.retention) metrics.drop('retention', result.retention);
    if (result.byteCap) metrics.drop('byte_cap', result.byteCap);
    return result;
  }

  function startTimers(): void {
    const every = (ms: number, fn: () => Promise<void> | void) => {
      const t = setInterval(() => {
        Promise.resolve()
          .then(fn)
          .catch((e: unknown) => o.logger.warn(`relay: background task failed: ${String(e)}`));
      }, ms);
      t.unref();
      timers.push(t);
    };
    every(o.pruneIntervalMs, async () => {
      await prune();
      createLimiter.sweep();
    });
    every(CURSOR_FLUSH_MS, () => hub.flushCursors());
    every(o.heartbeatMs, () => hub.heartbeat());
  }

  function makeServer(): Server {
    const s = createServer({
      maxHeaderSize: o.maxHeaderBytes,
      headersTimeout: o.headersTimeoutMs,
      requestTimeout: o.requestTimeoutMs,
      keepAliveTimeout: 5_000,
    });
    // Node drops headers past maxHeadersCount without a word; one over the limit lets the capture path
    // see that there were too many and refuse with 431 instead of storing a request with headers missing.
    s.maxHeadersCount = o.maxHeaderCount + 1;
    s.on('request', onRequest);
    s.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => stream.handleUpgrade(req, socket, head));
    s.on('clientError', onClientError);
    return s;
  }

  return {
    get url() {
      return listeningUrl;
    },
    metrics,
    prune,
    async listen(port = 0, host = o.host) {
      if (closing) throw new Error('relay is closed');
      if (server?.listening) throw new Error('relay is already listening');
      getStore();
      const s = (server ??= makeServer());
      await new Promise<void>((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        s.once('error', onError);
        s.listen(port, host, () => {
          s.off('error', onError);
          resolve();
        });
      });
      const address = s.address() as AddressInfo;
      const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      listeningUrl = `http://${urlHost}:${address.port}`;
      startTimers();
      o.logger.info(`relay: listening on ${listeningUrl}`);
      return { port: address.port, url: listeningUrl };
    },
    close() {
      return (closing ??= (async () => {
        for (const t of timers) clearInterval(t);
        const s = server;
        const serverClosed = s?.listening
          ? new Promise<void>((resolve) => s.close(() => resolve()))
          : Promise.resolve();
        s?.closeIdleConnections();
        waits.releaseAll();
        await Promise.race([
          capturing === 0 ? Promise.resolve() : new Promise<void>((resolve) => (onIdle = resolve)),
          new Promise((resolve) => setTimeout(resolve, DRAIN_TIMEOUT_MS).unref()),
        ]);
        await committer.drained();
        await stream.close();
        await hub
          .flushCursors()
          .catch((e: unknown) => o.logger.warn(`relay: saving cursors failed: ${String(e)}`));
        s?.closeAllConnections();
        await serverClosed;
        await store?.close();
      })());
    },
  };
}
