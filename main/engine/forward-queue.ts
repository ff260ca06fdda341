// Forwards each stored request to every target of its channel, in delivery order per target, without
// holding up storage and acks: the pipe keeps accepting while a slow target catches up.
import type { Attempt, StoredRequest } from '../../common/model';

export interface ForwardQueueOptions {
  send: (request: StoredRequest, target: string) => Promise<Attempt>;
  /** Called with each finished attempt (stored by the caller). */
  onAttempt: (attempt: Attempt, request: StoredRequest, target: string) => void;
}

export class ForwardQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly options: ForwardQueueOptions) {}

  /** Queues one request for one target; returns the attempt once it has been made. */
  push(request: StoredRequest, target: string): Promise<Attempt> {
    this.inFlight++;
    const previous = this.tails.get(target) ?? Promise.resolve();
    const attempt = previous.then(() => this.options.send(request, target));
    const tail = attempt.then(
      (a) => this.options.onAttempt(a, request, target),
      () => undefined,
    );
    this.tails.set(target, tail);
    void tail.finally(() => {
      if (this.tails.get(target) === tail) this.tails.delete(target);
      if (--this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
    return attempt;
  }

  get pending(): number {
    return this.inFlight;
  }

  /** Resolves when every queued forward has finished. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
