// Forwards stored requests to their targets without holding up storage and acks. Per target, requests
// start in delivery order, each only after the one before it was written to its socket, and up to
// `window` of them await their answers at once. With window 1 (the default) each waits for the previous
// answer, so the target sees them strictly in order. A wider window is faster but, spread over several
// connections, requests may reach the target's handler slightly out of order.
import type { Attempt, StoredRequest } from '../../common/model';

export interface ForwardTarget {
  url: string;
  /** Requests awaiting an answer at once (default 1: strict order). */
  window?: number;
}

export interface ForwardQueueOptions {
  /** Sends one request; must call `onSent` once its bytes are written (or it failed). */
  send: (request: StoredRequest, target: ForwardTarget, onSent: () => void) => Promise<Attempt>;
}

class Lane {
  private lastSent: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private readonly slots: Array<() => void> = [];

  constructor(private readonly window: number) {}

  /** Runs `fn` after the previous request of this lane was sent and a window slot is free. */
  run(fn: (onSent: () => void) => Promise<Attempt>): Promise<Attempt> {
    const previous = this.lastSent;
    let markSent!: () => void;
    this.lastSent = new Promise<void>((resolve) => (markSent = resolve));
    return (async () => {
      await previous;
      await this.acquire();
      try {
        return await fn(markSent);
      } finally {
        markSent();
        this.release();
      }
    })();
  }

  private acquire(): Promise<void> {
    if (this.inFlight < this.window) {
      this.inFlight++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.slots.push(resolve));
  }

  private release(): void {
    const next = this.slots.shift();
    if (next) next();
    else this.inFlight--;
  }
}

export class ForwardQueue {
  private readonly lanes = new Map<string, Lane>();
  private pendingCount = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: ForwardQueueOptions) {}

  /** Queues one request for one target; resolves with the attempt once it has been made. */
  push(request: StoredRequest, target: ForwardTarget): Promise<Attempt> {
    let lane = this.lanes.get(target.url);
    if (!lane) this.lanes.set(target.url, (lane = new Lane(Math.max(1, target.window ?? 1))));
    this.pendingCount++;
    const attempt = lane.run((onSent) => this.options.send(request, target, onSent));
    void attempt.finally(() => {
      if (--this.pendingCount === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
    return attempt;
  }

  /** Forwards queued or awaiting an answer. */
  get pending(): number {
    return this.pendingCount;
  }

  /** Resolves when every queued forward has finished. */
  idle(): Promise<void> {
    if (this.pendingCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
