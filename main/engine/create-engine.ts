// The app engine: plain Node, no Electron. Subscribes to one channel on a relay (an embedded one when no
// relay URL is given), stores every delivery durably before acking it, verifies it, answers provider
// handshakes, and forwards it to the channel's targets. The CLI, the local API and the desktop shell all
// sit on this.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { AppError } from '../../common/errors';
import { asSubscriberId, type RequestId } from '../../common/ids';
import type { Attempt, CapturedRequest, RawHeaders, ResponseMode, StoredRequest } from '../../common/model';
import type { WelcomeMessage } from '../../common/protocol';
import { createRelay } from '../../relay/create-relay';
import { openConfig, type ChannelConfig, type ConfigStore, type RetryPolicy } from '../config/config-store';
import { openSecrets, type SecretsStore } from '../config/secrets-store';
import { createForwarder } from '../forward/forwarder';
import { openEventStore, type EventStore } from '../store/event-store';
import { answerChallenge, inspectRequest } from '../verify';
import { AttemptWriter } from './attempt-writer';
import { listenPreferring, resolveChannel, streamUrlFor } from './channel-setup';
import { ForwardDispatcher } from './forward-dispatcher';
import { RelayClient, type ConnectionState } from './relay-client';
import { publicUrlOf, secretConfigFor } from './secret-lookup';

export interface EngineOptions {
  /** Where config.json, secrets.json and the SQLite history live. */
  dataDir: string;
  /** A relay's base URL; when absent an embedded relay is started on 127.0.0.1. */
  relayUrl?: string;
  /** Subscribe to this channel (known in the config, or created under this name). */
  channelId?: string;
  /** Create a fresh channel even if one is remembered for this relay. */
  newChannel?: boolean;
  responseMode?: ResponseMode;
  adminToken?: string;
  /** Forward targets, added to the channel's saved forward rules. */
  forward?: string[];
  /** Forwards in flight at once per `forward` target (default 1: strictly in order). */
  concurrency?: number;
  /** Forward to https targets without checking their certificates (self-signed dev servers). */
  insecure?: boolean;
  /** Retries for the `forward` targets (saved rules carry their own). */
  retry?: RetryPolicy;
  /** How often the history's retention limits (settings.retention) are applied, in ms (default 60 000). */
  retentionIntervalMs?: number;
  /** Port of the embedded relay; default: the one used last time, else a free one. */
  embeddedRelayPort?: number;
  now?: () => number;
}

export interface EngineEvents {
  ready: [info: { url: string; channelId: string; relayUrl: string }];
  request: [request: StoredRequest];
  attempt: [attempt: Attempt, request: StoredRequest];
  state: [state: ConnectionState, detail?: string];
  /** Retention ran and deleted this many old requests (pinned ones are kept). */
  retention: [deleted: number];
  fatal: [error: AppError];
}

export interface Engine extends EventEmitter<EngineEvents> {
  readonly store: EventStore;
  readonly config: ConfigStore;
  readonly secrets: SecretsStore;
  readonly channel: ChannelConfig;
  readonly relayUrl: string;
  /** Connects to the relay; emits `ready` at once (attach listeners first). */
  start(): void;
  /** The forward targets for this channel: the `forward` option plus enabled saved rules. */
  targets(): string[];
  /** Stops receiving, lets queued forwards finish (up to `graceMs`), closes everything. */
  stop(graceMs?: number): Promise<void>;
}

export async function createEngine(options: EngineOptions): Promise<Engine> {
  const now = options.now ?? Date.now;
  const config = await openConfig(options.dataDir);
  const secrets = await openSecrets(options.dataDir);
  const store = openEventStore({
    file: join(options.dataDir, 'history.db'),
    now,
    backgroundCheckpoints: true,
  });
  const closers: Array<() => Promise<void> | void> = [() => store.close()];
  try {
    let relayUrl = options.relayUrl;
    if (!relayUrl) {
      // The embedded relay serves this machine alone: no rate limits to trip a local load test.
      const unlimited = { ratePerSec: Infinity, burst: Infinity };
      const relay = createRelay({
        dataDir: join(options.dataDir, 'relay'),
        host: '127.0.0.1',
        channelRateLimit: unlimited,
        ipRateLimit: unlimited,
      });
      const remembered = options.embeddedRelayPort ?? config.get().settings.embeddedRelayPort;
      const bound = await listenPreferring(relay, remembered);
      closers.unshift(() => relay.close());
      relayUrl = bound.url;
      if (bound.port !== remembered)
        await config.update((c) => void (c.settings.embeddedRelayPort = bound.port));
    }
    const channel = await resolveChannel(config, relayUrl, options);
    const settings = config.get().settings;
    const forwarder = createForwarder({
      timeoutMs: settings.forwardTimeoutMs,
      maxResponseBytes: settings.maxResponseBytes,
      rejectUnauthorized: !options.insecure,
      now,
    });
    closers.unshift(() => forwarder.close());
    const parts = { config, secrets, store, forwarder, channel, relayUrl };
    return new EngineImpl(options, now, parts, closers);
  } catch (e: unknown) {
    for (const close of closers) await close();
    throw e;
  }
}

interface EngineParts {
  config: ConfigStore;
  secrets: SecretsStore;
  store: EventStore;
  forwarder: ReturnType<typeof createForwarder>;
  channel: ChannelConfig;
  relayUrl: string;
}

class EngineImpl extends EventEmitter<EngineEvents> implements Engine {
  readonly config: ConfigStore;
  readonly secrets: SecretsStore;
  readonly store: EventStore;
  readonly channel: ChannelConfig;
  readonly relayUrl: string;
  private readonly client: RelayClient;
  private readonly dispatcher: ForwardDispatcher;
  private readonly attempts: AttemptWriter;
  private responseMode: ResponseMode;
  private stopping: Promise<void> | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: EngineOptions,
    private readonly now: () => number,
    parts: EngineParts,
    private readonly closers: Array<() => Promise<void> | void>,
  ) {
    super();
    ({ config: this.config, secrets: this.secrets, store: this.store } = parts);
    ({ channel: this.channel, relayUrl: this.relayUrl } = parts);
    this.responseMode = this.channel.responseMode;
    this.attempts = new AttemptWriter(this.store, {
      onError: (e, lost) =>
        this.emit(
          'state',
          this.client.state,
          `could not store ${lost} forward attempts: ${e instanceof Error ? e.message : String(e)}`,
        ),
    });
    this.client = new RelayClient({
      streamUrl: streamUrlFor(this.relayUrl, this.channel.id),
      token: this.channel.token,
      subscriberId: asSubscriberId(this.config.get().subscriberId),
      lastSeq: () => this.store.lastSeq(this.channel.id),
      onDeliveries: (batch) => this.onDeliveries(batch),
    });
    this.client.on('state', (state, detail) => this.emit('state', state, detail));
    this.client.on('welcome', (w: WelcomeMessage) => (this.responseMode = w.responseMode));
    this.client.on('fatal', (e) => this.emit('fatal', e));
    this.dispatcher = new ForwardDispatcher({
      forwarder: parts.forwarder,
      config: this.config,
      channelId: this.channel.id,
      ...(options.forward ? { forward: options.forward } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      onAttempt: (attempt, request) => {
        this.attempts.push(attempt);
        this.emit('attempt', attempt, request);
      },
      // A long forward backlog stops reading deliveries, so a slow target or a big catch-up after a
      // reconnect stays in the relay's store instead of this process's memory.
      onBacklog: (long) => this.client.setPaused(long),
    });
  }

  start(): void {
    this.emit('ready', { url: this.channel.url, channelId: this.channel.id, relayUrl: this.relayUrl });
    this.client.start();
    this.applyRetention();
    this.retentionTimer = setInterval(
      () => this.applyRetention(),
      this.options.retentionIntervalMs ?? 60_000,
    );
    this.retentionTimer.unref();
  }

  targets(): string[] {
    return this.dispatcher.targets().map((t) => t.url);
  }

  /** Deletes the oldest unpinned requests over the count, size and age limits in settings.retention. */
  private applyRetention(): void {
    try {
      const { deleted } = this.store.applyRetention(this.config.get().settings.retention);
      if (deleted > 0) this.emit('retention', deleted);
    } catch (e: unknown) {
      this.emit(
        'state',
        this.client.state,
        `retention failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /** Verifies and stores a batch in one transaction (the client acks after this returns), then acts on it. */
  private onDeliveries(batch: CapturedRequest[]): void {
    const nowSec = Math.floor(this.now() / 1000);
    const checks = batch.map((captured) => {
      const verifiable = { ...captured, url: publicUrlOf(this.channel, captured) };
      const secret = secretConfigFor(this.channel, this.secrets, verifiable);
      const request: StoredRequest = { ...captured, ...inspectRequest(verifiable, secret, { now: nowSec }) };
      return { request, verifiable, secret };
    });
    const inserted = new Set<RequestId>(this.store.insertRequests(checks.map((c) => c.request)));
    const targets = this.dispatcher.targets();
    for (const { request, verifiable, secret } of checks) {
      if (!inserted.has(request.id)) continue; // a redelivery: already stored, shown and forwarded
      this.emit('request', request);
      const challenge = answerChallenge(verifiable, secret, { now: nowSec });
      if (challenge)
        this.client.sendResponse(request.id, challenge.status, challenge.headers, challenge.body);
      const first = this.dispatcher.dispatch(request, targets);
      if (!challenge && this.responseMode === 'wait') this.answerSender(request, first);
    }
  }

  /** In `wait` mode the sender gets the first target's answer, or at once an `ack`-like one without targets. */
  private answerSender(request: StoredRequest, first: Promise<Attempt> | undefined): void {
    if (!first) {
      this.client.sendResponse(request.id, 200, JSON_TYPE, encodeJson({ ok: true, id: request.id }));
      return;
    }
    void first.then((a) => {
      if (a.status !== undefined) {
        this.client.sendResponse(
          request.id,
          a.status,
          a.responseHeaders ?? [],
          a.responseBody ?? new Uint8Array(),
        );
        return;
      }
      const message = `forward to ${a.url} failed: ${a.error?.message ?? 'no response'}`;
      this.client.sendResponse(
        request.id,
        502,
        JSON_TYPE,
        encodeJson({ error: { code: 'target_error', message } }),
      );
    });
  }

  stop(graceMs = 5_000): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.retentionTimer);
      await this.client.stop();
      await this.dispatcher.drain(graceMs);
      this.attempts.flush();
      for (const close of this.closers) await close();
    })();
    return this.stopping;
  }
}

const JSON_TYPE: RawHeaders = [['content-type', 'application/json']];
const encodeJson = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
