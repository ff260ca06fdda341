import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Attempt } from '../../../common/model';
import { AttemptWriter } from '../../../main/engine/attempt-writer';
import { aRequest, anAttempt, tempStore, type TempStore } from '../store/store-fixtures';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

/** The real store, with each batch it is handed announced. */
function watchedStore() {
  const batches: number[] = [];
  let next: ((size: number) => void) | undefined;
  return {
    batches,
    nextBatch: () => new Promise<number>((resolve) => (next = resolve)),
    insertAttempts(attempts: readonly Attempt[]) {
      batches.push(attempts.length);
      const stored = t.store.insertAttempts(attempts);
      next?.(attempts.length);
      return stored;
    },
  };
}

describe('attempt writer', () => {
  it('stores the attempts made within its delay together, in one batch', async () => {
    const r = aRequest();
    t.store.insertRequests([r]);
    const store = watchedStore();
    const writer = new AttemptWriter(store, { delayMs: 30 });
    const written = store.nextBatch();
    for (let i = 0; i < 5; i++) writer.push(anAttempt(r.id));
    expect(t.store.listAttempts(r.id)).toHaveLength(0);
    expect(await written).toBe(5);
    expect(store.batches).toEqual([5]);
    expect(t.store.listAttempts(r.id)).toHaveLength(5);
  });

  it('writes at once when maxBatch attempts are pending, and the rest on flush', () => {
    const r = aRequest();
    t.store.insertRequests([r]);
    const store = watchedStore();
    const writer = new AttemptWriter(store, { delayMs: 60_000, maxBatch: 3 });
    for (let i = 0; i < 4; i++) writer.push(anAttempt(r.id));
    expect(store.batches).toEqual([3]);
    writer.flush();
    expect(store.batches).toEqual([3, 1]);
    expect(t.store.listAttempts(r.id)).toHaveLength(4);
    writer.flush();
    expect(store.batches).toEqual([3, 1]);
  });

  it('reports a batch the store refuses instead of throwing from a timer', () => {
    const r = aRequest();
    t.store.insertRequests([r]);
    const reported: Array<[string, number]> = [];
    const writer = new AttemptWriter(t.store, {
      onError: (e, lost) => reported.push([e instanceof Error ? e.message : String(e), lost]),
    });
    writer.push(anAttempt(r.id));
    writer.push(anAttempt(r.id));
    t.store.close();
    writer.flush();
    expect(reported).toHaveLength(1);
    expect(reported[0]![1]).toBe(2);
  });
});
