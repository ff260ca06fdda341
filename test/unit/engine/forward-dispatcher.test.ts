import { describe, expect, it } from 'vitest';
import { asAttemptId, asChannelId, asRequestId } from '../../../common/ids';
import type { Attempt, StoredRequest } from '../../../common/model';
import type { ConfigStore } from '../../../main/config/config-store';
import { ForwardDispatcher } from '../../../main/engine/forward-dispatcher';
import type { Forwarder } from '../../../main/forward/forwarder';

const request = (n: number, bytes = 10): StoredRequest => ({
  id: asRequestId(`rq_${n}`),
  channelId: asChannelId('ch'),
  seq: n,
  method: 'POST',
  path: '',
  query: '',
  headers: [],
  body: new Uint8Array(bytes),
  receivedAt: 0,
});

/** A forwarder whose targets answer only when the test says so. */
function heldForwarder() {
  const waiting: Array<() => void> = [];
  const forwarder: Forwarder = {
    send: (req, url, opts) =>
      new Promise<Attempt>((resolve) => {
        opts?.onSent?.();
        waiting.push(() =>
          resolve({
            id: asAttemptId(`a_${req.id}`),
            requestId: req.id,
            kind: 'forward',
            url,
            method: 'POST',
            requestHeaders: [],
            startedAt: 0,
            durationMs: 1,
            status: 200,
          }),
        );
      }),
    close: () => undefined,
  };
  return { forwarder, answerAll: () => waiting.splice(0).forEach((w) => w()) };
}

const noRules = { forwardRulesFor: () => [] } as unknown as ConfigStore;

describe('ForwardDispatcher', () => {
  it('reports a long backlog past 2,000 forwards and a short one again at half', async () => {
    const held = heldForwarder();
    const signals: boolean[] = [];
    const attempts: Attempt[] = [];
    const dispatcher = new ForwardDispatcher({
      forwarder: held.forwarder,
      config: noRules,
      channelId: 'ch',
      forward: ['http://t'],
      concurrency: 5_000,
      onAttempt: (a) => attempts.push(a),
      onBacklog: (long) => signals.push(long),
    });
    const targets = dispatcher.targets();
    for (let n = 1; n <= 2_001; n++) void dispatcher.dispatch(request(n), targets);
    expect(signals.at(-1)).toBe(true);
    // All answers at once: the backlog must still be seen to shrink (a stale count would stay paused).
    for (let i = 0; i < 5; i++) {
      held.answerAll();
      await new Promise((r) => setImmediate(r));
    }
    await dispatcher.drain(1_000);
    expect(attempts).toHaveLength(2_001);
    expect(signals.at(-1)).toBe(false);
  });

  it('counts body bytes too: a few huge requests are a long backlog', () => {
    const held = heldForwarder();
    const signals: boolean[] = [];
    const dispatcher = new ForwardDispatcher({
      forwarder: held.forwarder,
      config: noRules,
      channelId: 'ch',
      forward: ['http://t'],
      onAttempt: () => undefined,
      onBacklog: (long) => signals.push(long),
    });
    for (let n = 1; n <= 3; n++) void dispatcher.dispatch(request(n, 25 * 1024 * 1024), dispatcher.targets());
    expect(signals.at(-1)).toBe(true);
  });

  it('uses saved rules after the --forward targets, once per URL', () => {
    const rules = {
      forwardRulesFor: () => [
        {
          id: 'r',
          channelId: '*',
          targets: ['http://t', 'http://u'],
          enabled: true,
          retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
        },
      ],
    } as unknown as ConfigStore;
    const dispatcher = new ForwardDispatcher({
      forwarder: heldForwarder().forwarder,
      config: rules,
      channelId: 'ch',
      forward: ['http://t'],
      onAttempt: () => undefined,
      onBacklog: () => undefined,
    });
    expect(dispatcher.targets()).toEqual([
      { url: 'http://t' },
      { url: 'http://u', retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } },
    ]);
  });
});
