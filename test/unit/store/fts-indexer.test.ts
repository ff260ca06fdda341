import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { aRequest, tempStore, type TempStore } from './store-fixtures';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => {
  vi.useRealTimers();
  t.cleanup();
});

/** The FTS watermark and the highest rid, read through a second connection. */
function progress(): { indexed: number; newest: number } {
  const raw = new Database(t.file, { readonly: true });
  try {
    const indexed = raw.prepare('SELECT indexed_rid FROM fts_progress').pluck().get() as number;
    const newest = raw.prepare('SELECT coalesce(max(rid), 0) FROM requests').pluck().get() as number;
    return { indexed, newest };
  } finally {
    raw.close();
  }
}

describe('deferred full-text indexing', () => {
  it('leaves indexing out of insertRequests, yet a search right after finds the new rows', () => {
    const hit = aRequest({ json: { word: 'kumquat' } });
    t.store.insertRequests([aRequest(), hit]);
    expect(progress().indexed).toBe(0);
    expect(t.store.searchBodies('kumquat', 10).map((s) => s.id)).toEqual([hit.id]);
    expect(t.store.listRequests({ filter: 'kumquat' }).items.map((s) => s.id)).toEqual([hit.id]);
    expect(progress()).toEqual({ indexed: 2, newest: 2 });
  });

  it('indexes in the background once the store has been idle', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    t.store.insertRequests([aRequest(), aRequest()]);
    vi.advanceTimersByTime(50);
    expect(progress().indexed).toBe(0);
    vi.advanceTimersByTime(100);
    expect(progress()).toEqual({ indexed: 2, newest: 2 });
  });

  it('indexes within a second even while inserts keep coming', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    for (let ms = 0; ms < 1200; ms += 50) {
      t.store.insertRequests([aRequest()]);
      vi.advanceTimersByTime(50);
    }
    expect(progress().indexed).toBeGreaterThanOrEqual(19);
  });

  it('catches up after a reopen on rows another connection left unindexed', () => {
    const hit = aRequest({ json: { word: 'persimmon' } });
    t.store.insertRequests([hit]);
    const other = t.reopen();
    expect(other.searchBodies('persimmon', 10).map((s) => s.id)).toEqual([hit.id]);
    expect(t.store.countRequests('persimmon')).toBe(1);
  });

  it('indexes what it inserted before closing', () => {
    t.store.insertRequests([aRequest(), aRequest()]);
    t.store.close();
    expect(progress()).toEqual({ indexed: 2, newest: 2 });
  });

  it('stays exact when retention deletes the newest rows and their rids are used again', () => {
    const older = aRequest({ receivedAt: 1, json: { word: 'alpha' } });
    const newer = aRequest({ receivedAt: 2, json: { word: 'alpha' } });
    t.store.insertRequests([older, newer]);
    expect(t.store.countRequests('alpha')).toBe(2); // both indexed: watermark at rid 2
    t.store.applyRetention({ maxAgeMs: 0 }); // deletes everything, so rids 1 and 2 come back
    const reused = aRequest({ receivedAt: 3, json: { word: 'bravo' } });
    const unindexedGone = aRequest({ receivedAt: 4, json: { word: 'charlie' } });
    t.store.insertRequests([reused, unindexedGone]);
    t.store.applyRetention({ maxCount: 1 }); // deletes `reused` before it was indexed
    expect(t.store.countRequests('alpha')).toBe(0);
    expect(t.store.countRequests('bravo')).toBe(0);
    expect(t.store.searchBodies('charlie', 10).map((s) => s.id)).toEqual([unindexedGone.id]);
  });
});
