// Stores attempts in groups: every attempt finished in one event-loop turn goes into the store together,
// so a busy pipe does not pay one SQLite commit per forward.
import type { Attempt } from '../../common/model';
import type { EventStore } from '../store/store-types';

export class AttemptWriter {
  private pending: Attempt[] = [];
  private scheduled = false;

  constructor(private readonly store: Pick<EventStore, 'insertAttempts'>) {}

  push(attempt: Attempt): void {
    this.pending.push(attempt);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes what is pending now (also called on stop). */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length) this.store.insertAttempts(batch);
  }
}
