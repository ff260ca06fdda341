import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/errors';
import { asChannelId, asRequestId, asSubscriberId } from '../../../common/ids';
import type { DeliveryStore, NewDelivery } from '../../../relay/store/delivery-store';
import { openSqliteDeliveryStore } from '../../../relay/store/sqlite-delivery-store';
import { tempDir } from '../../helpers/relay-harness';

const A = asChannelId('a');
const B = asChannelId('b');
let n = 0;
function delivery(channelId = A, body = 'x', receivedAt = 1000): NewDelivery {
  n += 1;
  return {
    id: asRequestId(`rq_${n}`),
    channelId,
    method: 'POST',
    path: '/p',
    query: 'q=1',
    headers: [
      ['X-A', '1'],
      ['x-a', '2'],
    ],
    body: Buffer.from(body),
    receivedAt,
  };
}

describe('the SQLite delivery store', () => {
  let dir: string;
  let store: DeliveryStore;
  beforeEach(async () => {
    dir = tempDir();
    store = openSqliteDeliveryStore(dir);
    for (const id of [A, B])
      await store.createChannel({ id, tokenHash: Buffer.alloc(32), responseMode: 'ack', createdAt: 0 });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('continues numbering after a reopen and reports the head, from the buffered deliveries', async () => {
    await store.append([delivery(), delivery(), delivery(B)]);
    await store.close();
    store = openSqliteDeliveryStore(dir);
    expect((await store.getChannel(A))?.lastSeq).toBe(2);
    const [next] = await store.append([delivery()]);
    expect(next?.seq).toBe(3);
  });

  it('refuses a second channel with the same id as name_taken', async () => {
    await expect(
      store.createChannel({ id: A, tokenHash: Buffer.alloc(32), responseMode: 'ack', createdAt: 0 }),
    ).rejects.toThrow(AppError);
  });

  it('numbers each channel on its own, in batch order, and reads back exact requests', async () => {
    const stored = await store.append([delivery(A, 'one'), delivery(B), delivery(A, 'two')]);
    expect(stored.map((d) => [d.channelId, d.seq])).toEqual([
      [A, 1],
      [B, 1],
      [A, 2],
    ]);
    const read = await store.readAfter(A, 0, { count: 10, bytes: 1e6 });
    expect(read.map((d) => Buffer.from(d.body).toString())).toEqual(['one', 'two']);
    expect(read[0]!.headers).toEqual([
      ['X-A', '1'],
      ['x-a', '2'],
    ]);
    expect((await store.getChannel(A))?.lastSeq).toBe(2);
  });

  it('never reuses a seq after everything was pruned, even after reopening', async () => {
    await store.append([delivery(), delivery()]);
    await store.saveCursors([{ channelId: A, subscriberId: asSubscriberId('s'), ackedSeq: 2 }]);
    expect((await store.prune({ olderThan: 0, maxChannelBytes: 1e9 })).acked).toBe(2);
    await store.close();
    store = openSqliteDeliveryStore(dir);
    const [next] = await store.append([delivery()]);
    expect(next!.seq).toBe(3);
  });

  it('keeps deliveries of a channel that never had a subscriber', async () => {
    await store.append([delivery(), delivery()]);
    expect(await store.prune({ olderThan: 0, maxChannelBytes: 1e9 })).toEqual({
      acked: 0,
      retention: 0,
      byteCap: 0,
    });
    expect((await store.stats()).buffered).toBe(2);
  });

  it('stops a read at the byte limit but always returns at least one delivery', async () => {
    await store.append([delivery(A, 'x'.repeat(100)), delivery(A, 'y'.repeat(100)), delivery(A, 'z')]);
    expect(await store.readAfter(A, 0, { count: 10, bytes: 150 })).toHaveLength(2);
    expect(await store.readAfter(A, 0, { count: 10, bytes: 1 })).toHaveLength(1);
  });

  it('keeps the lowest cursor of a channel as the line below which deliveries go', async () => {
    await store.append([delivery(), delivery(), delivery()]);
    await store.saveCursors([
      { channelId: A, subscriberId: asSubscriberId('fast'), ackedSeq: 3 },
      { channelId: A, subscriberId: asSubscriberId('slow'), ackedSeq: 1 },
    ]);
    expect(await store.getCursor(A, asSubscriberId('slow'))).toBe(1);
    expect((await store.prune({ olderThan: 0, maxChannelBytes: 1e9 })).acked).toBe(1);
    expect((await store.readAfter(A, 0, { count: 10, bytes: 1e6 })).map((d) => d.seq)).toEqual([2, 3]);
  });
});
