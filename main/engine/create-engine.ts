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
import { sendWithRetry } from '../forward/forward-retry';
import { createForwarder } from '../forward/forwarder';
import { openEventStore, type EventStore } from '../store/event-store';
import { answerChallenge, inspectRequest } from '../verify';
import { createChannel, streamUrlFor } from './channel-setup';
import { AttemptWriter } from './attempt-writer';
import { ForwardQueue, type ForwardTarget } from './forward-queue';
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
  const store = openEventStore({ file: join(options.dataDir, 'history.db'), now });
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
      now,
    });
    closers.unshift(() => forwarder.close());
    return new EngineImpl(options, now, config, secrets, store, forwarder, channel, relayUrl, closers);
  } catch (e: unknown) {
    for (const close of closers) await close();
    throw e;
  }
}

type Forwarder = ReturnType<typeof createForwarder>;
type RuleTarget = ForwardTarget & { retry?: RetryPolicy; timeoutMs?: number };

class EngineImpl extends EventEmitter<EngineEvents> implements Engine {
  private readonly client: RelayClient;
  private readonly queue: ForwardQueue;
  private readonly attempts: AttemptWriter;
  private readonly abort = new AbortController();
  /** Body bytes of forwards not yet finished, for backpressure. */
  private queuedBytes = 0;
  private responseMode: ResponseMode;
  private stopping: Promise<void> | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: EngineOptions,
    private readonly now: () => number,
    readonly config: ConfigStore,
    readonly secrets: SecretsStore,
    readonly store: EventStore,
    private readonly forwarder: Forwarder,
    readonly channel: ChannelConfig,
    readonly relayUrl: string,
    private readonly closers: Array<() => Promise<void> | void>,
  ) {
    super();
    this.responseMode = channel.responseMode;
    this.attempts = new AttemptWriter(store);
    this.queue = new ForwardQueue({
      send: (request, target, onSent) => this.forward(request, target, onSent),
    });
    this.client = new RelayClient({
      streamUrl: streamUrlFor(relayUrl, channel.id),
      token: channel.token,
      subscriberId: asSubscriberId(config.get().subscriberId),
      lastSeq: () => this.store.lastSeq(channel.id),
      onDeliveries: (batch) => this.onDeliveries(batch),
    });
    this.client.on('state', (state, detail) => this.emit('state', state, detail));
    this.client.on('welcome', (w: WelcomeMessage) => (this.responseMode = w.responseMode));
    this.client.on('fatal', (e) => this.emit('fatal', e));
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

  targets(): string[] {
    return this.forwardTargets().map((t) => t.url);
  }

  /** `--forward` targets, then enabled saved rules for this channel; one entry per URL. */
  private forwardTargets(): RuleTarget[] {
    const seen = new Map<string, RuleTarget>();
    for (const url of this.options.forward ?? []) {
      seen.set(url, {
        url,
        ...(this.options.retry ? { retry: this.options.retry } : {}),
        ...(this.options.concurrency ? { window: this.options.concurrency } : {}),
      });
    }
    for (const rule of this.config.forwardRulesFor(this.channel.id)) {
      for (const url of rule.targets) {
        if (seen.has(url)) continue;
        const target: RuleTarget = { url };
        if (rule.retry) target.retry = rule.retry;
        if (rule.timeoutMs) target.timeoutMs = rule.timeoutMs;
        if (rule.concurrency) target.window = rule.concurrency;
        seen.set(url, target);
      }
    }
    return [...seen.values()];
  }

  /** One forward, with the rule's retries; every try is stored and shown. Resolves with the last. */
  private async forward(request: StoredRequest, target: RuleTarget, onSent: () => void): Promise<Attempt> {
    try {
      return await this.forwardOnce(request, target, onSent);
    } finally {
      this.queuedBytes -= request.body.length;
      this.applyBackpressure();
    }
  }

  /**
   * Stops reading deliveries while the forward backlog is long, and reads again once it has halved, so
   * a slow target or a large backlog after a reconnect never piles up in memory: the relay keeps it.
   */
  private applyBackpressure(): void {
    const pending = this.queue.pending;
    if (pending > BACKLOG_HIGH || this.queuedBytes > BACKLOG_HIGH_BYTES) this.client.setPaused(true);
    else if (pending <= BACKLOG_HIGH / 2 && this.queuedBytes <= BACKLOG_HIGH_BYTES / 2)
      this.client.setPaused(false);
  }

  private async forwardOnce(
    request: StoredRequest,
    target: RuleTarget,
    onSent: () => void,
  ): Promise<Attempt> {
    const record = (attempt: Attempt) => {
      this.attempts.push(attempt);
      this.emit('attempt', attempt, request);
    };
    const options = {
      kind: 'forward' as const,
      onSent,
      ...(target.timeoutMs ? { timeoutMs: target.timeoutMs } : {}),
    };
    if (!target.retry) {
      const attempt = await this.forwarder.send(request, target.url, options);
      record(attempt);
      return attempt;
    }
    // Retries wait out their backoff without holding up the requests behind this one.
    const attempts = await sendWithRetry(this.forwarder, request, target.url, target.retry, {
      ...options,
      signal: this.abort.signal,
      onAttempt: (a: Attempt) => {
        onSent();
        record(a);
      },
    });
    return attempts[attempts.length - 1]!;
  }

  private onDeliveries(batch: CapturedRequest[]): void {
    const nowSec = Math.floor(this.now() / 1000);
    const checks = batch.map((captured) => {
      const verifiable = { ...captured, url: publicUrlOf(this.channel, captured) };
      const secret = secretConfigFor(this.channel, this.secrets, verifiable);
      const request: StoredRequest = { ...captured, ...inspectRequest(verifiable, secret, { now: nowSec }) };
      return { request, verifiable, secret };
    });
    const inserted = new Set<RequestId>(this.store.insertRequests(checks.map((c) => c.request)));
    const targets = this.forwardTargets();
    for (const { request, verifiable, secret } of checks) {
      if (!inserted.has(request.id)) continue; // a redelivery: already stored, shown and forwarded
      this.emit('request', request);
      const challenge = answerChallenge(verifiable, secret, { now: nowSec });
      if (challenge)
        this.client.sendResponse(request.id, challenge.status, challenge.headers, challenge.body);
      const first = targets.map((t) => this.queue.push(request, t))[0];
      this.queuedBytes += request.body.length * targets.length;
      if (!challenge && this.responseMode === 'wait') this.answerSender(request, first);
    }
    this.applyBackpressure();
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
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.queue.idle(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
      this.abort.abort();
      this.attempts.flush();
      for (const close of this.closers) await close();
    })();
    return this.stopping;
  }
}

/** Forwards waiting or in flight above which deliveries stop being read (resumed at half). */
const BACKLOG_HIGH = 2_000;
/** The same limit in body bytes. */
const BACKLOG_HIGH_BYTES = 64 * 1024 * 1024;

const JSON_TYPE: RawHeaders = [['content-type', 'application/json']];
const encodeJson = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

async function listenPreferring(
  relay: ReturnType<typeof createRelay>,
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

async function resolveChannel(
  config: ConfigStore,
  relayUrl: string,
  options: EngineOptions,
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
