import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredRequest } from '../../../common/model';
import { aRequest, anAttempt, tempStore, type TempStore } from './store-fixtures';

let t: TempStore;
let clock = 0;
beforeEach(() => {
  clock = 1_000_000;
  t = tempStore({ now: () => clock });
});
afterEach(() => t.cleanup());

/** Ten requests a second apart (oldest first), 100-byte bodies; the third is pinned. */
function seed(): StoredRequest[] {
  const reqs = Array.from({ length: 10 }, (_, i) =>
    aRequest({ receivedAt: 1_000_000 + i * 1000, body: new Uint8Array(100).fill(0x61), pinned: i === 2 }),
  );
  t.store.insertRequests(reqs);
  for (const r of reqs) t.store.insertAttempt(anAttempt(r.id));
  return reqs;
}

const storedIds = (): string[] =>
  t.store
    .listRequests({ limit: 100 })
    .items.map((s) => s.id)
    .reverse();

describe('retention', () => {
  it('by count deletes the oldest unpinned requests and their attempts', () => {
    const reqs = seed();
    expect(t.store.applyRetention({ maxCount: 6 })).toEqual({ deleted: 4 });
    expect(storedIds()).toEqual([2, 5, 6, 7, 8, 9].map((i) => reqs[i]!.id));
    expect(t.store.listAttempts(reqs[0]!.id)).toEqual([]);
    expect(t.store.listAttempts(reqs[9]!.id)).toHaveLength(1);
  });

  it('by bytes deletes just enough of the oldest unpinned requests', () => {
    const reqs = seed();
    expect(t.store.applyRetention({ maxBytes: 750 })).toEqual({ deleted: 3 });
    expect(storedIds()).toEqual([2, 4, 5, 6, 7, 8, 9].map((i) => reqs[i]!.id));
  });

  it('by age uses the injected clock', () => {
    const reqs = seed();
    clock = 1_000_000 + 9000;
    expect(t.store.applyRetention({ maxAgeMs: 3500 })).toEqual({ deleted: 5 });
    expect(storedIds()).toEqual([2, 6, 7, 8, 9].map((i) => reqs[i]!.id));
  });

  it('never deletes pinned requests, even when they alone exceed the limit', () => {
    const reqs = seed();
    clock = 10_000_000;
    t.store.applyRetention({ maxCount: 0, maxBytes: 0, maxAgeMs: 1 });
    expect(storedIds()).toEqual([reqs[2]!.id]);
  });

  it('keeps the full-text index in sync with deletions', () => {
    const old = aRequest({ receivedAt: 1, json: { word: 'aardvark' } });
    const kept = aRequest({ receivedAt: 2, json: { word: 'aardvark' } });
    t.store.insertRequests([old, kept]);
    t.store.applyRetention({ maxCount: 1 });
    expect(t.store.searchBodies('aardvark', 10).map((s) => s.id)).toEqual([kept.id]);
    expect(t.store.countRequests('aardvark')).toBe(1);
  });

  it('does nothing under the limits', () => {
    seed();
    expect(t.store.applyRetention({ maxCount: 100, maxBytes: 1e9, maxAgeMs: 1e9 })).toEqual({ deleted: 0 });
    expect(t.store.applyRetention({})).toEqual({ deleted: 0 });
  });
});
