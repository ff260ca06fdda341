// Sends stored requests to the channel's targets: which targets (the `--forward` ones and saved rules),
// each rule's retries and timeout, every try recorded, and the backlog that decides backpressure.
import type { Attempt, StoredRequest } from '../../common/model';
import type { ConfigStore, RetryPolicy } from '../config/config-store';
import { sendWithRetry } from '../forward/forward-retry';
import type { Forwarder } from '../forward/forwarder';
import { ForwardQueue, type ForwardTarget } from './forward-queue';

/** Forwards waiting or in flight above which the backlog counts as long (it is short again at half). */
const BACKLOG_HIGH = 2_000;
/** The same limit in body bytes. */
const BACKLOG_HIGH_BYTES = 64 * 1024 * 1024;

export type RuleTarget = ForwardTarget & { retry?: RetryPolicy; timeoutMs?: number };

export interface ForwardDispatcherOptions {
  forwarder: Forwarder;
  config: ConfigStore;
  channelId: string;
  /** `--forward` targets, before the saved rules. */
  forward?: string[];
  /** Window for the `forward` targets (default 1: strictly in order). */
  concurrency?: number;
  /** Retries for the `forward` targets. */
  retry?: RetryPolicy;
  /** Every try, as soon as it is made. */
  onAttempt: (attempt: Attempt, request: StoredRequest) => void;
  /** The backlog became long (true) or short again (false). */
  onBacklog: (long: boolean) => void;
}

export class ForwardDispatcher {
  private readonly queue: ForwardQueue;
  private readonly abort = new AbortController();
  /** Forwards queued or in flight, and their body bytes; counted here, in step with each completion. */
  private pending = 0;
  private queuedBytes = 0;

  constructor(private readonly options: ForwardDispatcherOptions) {
    this.queue = new ForwardQueue({
      send: (request, target, onSent) => this.forward(request, target, onSent),
    });
  }

  /** `--forward` targets, then enabled saved rules for this channel; one entry per URL. */
  targets(): RuleTarget[] {
    const { forward = [], retry, concurrency } = this.options;
    const seen = new Map<string, RuleTarget>();
    for (const url of forward) {
      seen.set(url, { url, ...(retry ? { retry } : {}), ...(concurrency ? { window: concurrency } : {}) });
    }
    for (const rule of this.options.config.forwardRulesFor(this.options.channelId)) {
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

  /** Queues the request for every target; resolves with the first target's last attempt, if any. */
  dispatch(request: StoredRequest, targets: RuleTarget[]): Promise<Attempt> | undefined {
    this.pending += targets.length;
    this.queuedBytes += request.body.length * targets.length;
    const first = targets.map((t) => this.queue.push(request, t))[0];
    this.checkBacklog();
    return first;
  }

  /** Resolves when every queued forward has finished, or after `graceMs`; then cancels retry waits. */
  async drain(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue.idle(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.abort.abort();
  }

  private async forward(request: StoredRequest, target: RuleTarget, onSent: () => void): Promise<Attempt> {
    try {
      return await this.send(request, target, onSent);
    } finally {
      this.pending -= 1;
      this.queuedBytes -= request.body.length;
      this.checkBacklog();
    }
  }

  /** One forward with the target's retries; every try is recorded. Resolves with the last. */
  private async send(request: StoredRequest, target: RuleTarget, onSent: () => void): Promise<Attempt> {
    const record = (attempt: Attempt) => this.options.onAttempt(attempt, request);
    const options = {
      kind: 'forward' as const,
      onSent,
      ...(target.timeoutMs ? { timeoutMs: target.timeoutMs } : {}),
    };
    if (!target.retry) {
      const attempt = await this.options.forwarder.send(request, target.url, options);
      record(attempt);
      return attempt;
    }
    // Retries wait out their backoff without holding up the requests behind this one.
    const attempts = await sendWithRetry(this.options.forwarder, request, target.url, target.retry, {
      ...options,
      signal: this.abort.signal,
      onAttempt: (a: Attempt) => {
        onSent();
        record(a);
      },
    });
    return attempts[attempts.length - 1]!;
  }

  private checkBacklog(): void {
    const pending = this.pending;
    if (pending > BACKLOG_HIGH || this.queuedBytes > BACKLOG_HIGH_BYTES) this.options.onBacklog(true);
    else if (pending <= BACKLOG_HIGH / 2 && this.queuedBytes <= BACKLOG_HIGH_BYTES / 2)
      this.options.onBacklog(false);
  }
}
