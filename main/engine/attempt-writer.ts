// Stores attempts in groups. Each SQLite commit appends every page it touched to the WAL, and an attempt
// touches its request's row too (the trigger that keeps the list's last-attempt columns), so a busy pipe
// committing per event-loop turn would copy the same pages over and over. Attempts wait here up to
// `delayMs` (or until `maxBatch` are pending) and go into the store together. They are shown live as soon
// as they are made (the engine's `attempt` event); only their row in the history waits.
import type { Attempt } from '../../common/model';
import type { EventStore } from '../store/store-types';

export interface AttemptWriterOptions {
  /** Longest an attempt waits before its batch is written, in ms (default 20). */
  delayMs?: number;
  /** Pending attempts that trigger a write at once (default 500). */
  maxBatch?: number;
  /** A batch the store refused; the attempts in it are not retried. */
  onError?: (error: unknown, lost: number) => void;
}

export class AttemptWriter {
  private pending: Attempt[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly delayMs: number;
  private readonly maxBatch: number;

  constructor(
    private readonly store: Pick<EventStore, 'insertAttempts'>,
    private readonly options: AttemptWriterOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 20;
    this.maxBatch = options.maxBatch ?? 500;
  }

  push(attempt: Attempt): void {
    this.pending.push(attempt);
    if (this.pending.length >= this.maxBatch) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Writes what is pending now (also called on stop). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      this.store.insertAttempts(batch);
    } catch (e: unknown) {
      if (!this.options.onError) throw e;
      this.options.onError(e, batch.length);
    }
  }
}
