import { rmSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asChannelId, asRequestId } from '../../../common/ids';
import type { CapturedRequest } from '../../../common/model';
import { GroupCommitter } from '../../../relay/ingest/group-commit';
import type { DeliveryStore, NewDelivery } from '../../../relay/store/delivery-store';
import { openSqliteDeliveryStore } from '../../../relay/store/sqlite-delivery-store';
import { tempDir } from '../../helpers/relay-harness';

const A = asChannelId('a');
let n = 0;
function delivery(channelId = A): NewDelivery {
  n += 1;
  return {
    id: asRequestId(`rq_${n}`),
    channelId,
    method: 'POST',
    path: '',
    query: '',
    headers: [],
    body: Buffer.from(String(n)),
    receivedAt: 1000,
  };
}

describe('group commit', () => {
  let dir: string;
  let store: DeliveryStore;
  let batches: number[][];
  beforeEach(async () => {
    dir = tempDir();
    store = openSqliteDeliveryStore(dir);
    await store.createChannel({ id: A, tokenHash: Buffer.alloc(32), responseMode: 'ack', createdAt: 0 });
    batches = [];
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // A long busy delay keeps the test independent of how fast this machine runs a loop turn.
  const committer = (busyDelayMs = 300) =>
    new GroupCommitter({
      store: () => store,
      onCommitted: (batch: readonly CapturedRequest[]) => batches.push(batch.map((d) => d.seq)),
      busyDelayMs,
    });

  it('writes the captures of one loop turn in one transaction, numbered in arrival order', async () => {
    const c = committer();
    const stored = await Promise.all([c.commit(delivery()), c.commit(delivery()), c.commit(delivery())]);
    expect(stored.map((d) => d.seq)).toEqual([1, 2, 3]);
    expect(batches).toEqual([[1, 2, 3]]);
    expect((await store.readAfter(A, 0, { count: 10, bytes: 1e6 })).length).toBe(3);
  });

  it('after a batch of several, gathers captures from later turns into the next batch', async () => {
    const c = committer();
    await Promise.all([c.commit(delivery()), c.commit(delivery())]);
    const first = c.commit(delivery());
    await nextTurn();
    const second = c.commit(delivery());
    await nextTurn();
    const third = c.commit(delivery());
    expect((await Promise.all([first, second, third])).map((d) => d.seq)).toEqual([3, 4, 5]);
    expect(batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('by default, after a batch of several, lets one more loop turn join the next batch', async () => {
    const c = committer(0);
    await Promise.all([c.commit(delivery()), c.commit(delivery())]);
    const first = c.commit(delivery());
    await nextTurn();
    const second = c.commit(delivery());
    expect((await Promise.all([first, second])).map((d) => d.seq)).toEqual([3, 4]);
    expect(batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('when quiet (the last batch held one), commits in the next turn without waiting', async () => {
    const c = committer(60_000);
    await c.commit(delivery());
    const started = performance.now();
    await c.commit(delivery());
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(batches).toEqual([[1], [2]]);
  });

  it('rejects every capture of a batch the store refuses, and commits the next batch', async () => {
    const c = committer();
    const refused = [c.commit(delivery(asChannelId('nope'))), c.commit(delivery())];
    for (const p of refused) await expect(p).rejects.toThrow(/No channel 'nope'/);
    const next = await c.commit(delivery());
    expect(next.seq).toBe(1);
    await c.drained();
  });
});
