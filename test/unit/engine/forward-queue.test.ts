import { describe, expect, it } from 'vitest';
import { asAttemptId, asChannelId, asRequestId } from '../../../common/ids';
import type { Attempt, StoredRequest } from '../../../common/model';
import { ForwardQueue } from '../../../main/engine/forward-queue';

const request = (n: number): StoredRequest => ({
  id: asRequestId(`rq_${n}`),
  channelId: asChannelId('ch'),
  seq: n,
  method: 'POST',
  path: '',
  query: '',
  headers: [],
  body: new Uint8Array(),
  receivedAt: 0,
});

/** A send that is written at once and answered when the test says so. */
function manualSend() {
  const started: number[] = [];
  const answers = new Map<number, () => void>();
  const send = (r: StoredRequest, _t: unknown, onSent: () => void) =>
    new Promise<Attempt>((resolve) => {
      started.push(r.seq);
      onSent();
      answers.set(r.seq, () =>
        resolve({
          id: asAttemptId(`a${r.seq}`),
          requestId: r.id,
          kind: 'forward',
          url: '',
          method: 'POST',
          requestHeaders: [],
          startedAt: 0,
          durationMs: 0,
          status: 200,
        }),
      );
    });
  return { started, answers, send };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('ForwardQueue', () => {
  it('waits for each answer before the next request by default, so the target sees them in order', async () => {
    const m = manualSend();
    const queue = new ForwardQueue({ send: m.send });
    for (let n = 1; n <= 3; n++) void queue.push(request(n), { url: 'http://t' });
    await turn();
    expect(m.started).toEqual([1]);
    m.answers.get(1)!();
    await turn();
    expect(m.started).toEqual([1, 2]);
    m.answers.get(2)!();
    await turn();
    m.answers.get(3)!();
    await queue.idle();
    expect(m.started).toEqual([1, 2, 3]);
  });

  it('keeps up to `window` requests awaiting answers, started in order', async () => {
    const m = manualSend();
    const queue = new ForwardQueue({ send: m.send });
    for (let n = 1; n <= 5; n++) void queue.push(request(n), { url: 'http://t', window: 3 });
    for (let i = 0; i < 5; i++) await turn();
    expect(m.started).toEqual([1, 2, 3]);
    m.answers.get(2)!();
    for (let i = 0; i < 5; i++) await turn();
    expect(m.started).toEqual([1, 2, 3, 4]);
    for (const n of [1, 3, 4]) m.answers.get(n)!();
    for (let i = 0; i < 5; i++) await turn();
    m.answers.get(5)!();
    await queue.idle();
    expect(m.started).toEqual([1, 2, 3, 4, 5]);
    expect(queue.pending).toBe(0);
  });

  it('runs separate targets independently', async () => {
    const m = manualSend();
    const queue = new ForwardQueue({ send: m.send });
    void queue.push(request(1), { url: 'http://a' });
    void queue.push(request(2), { url: 'http://b' });
    await turn();
    expect(m.started.sort()).toEqual([1, 2]);
  });
});
