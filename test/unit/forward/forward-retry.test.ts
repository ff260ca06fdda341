import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asRequestId } from '../../../common/ids';
import { createForwarder } from '../../../main/forward/forwarder';
import type { Forwarder } from '../../../main/forward/forwarder';
import { backoffDelay, retryAfterMs, sendWithRetry } from '../../../main/forward/forward-retry';
import type { OutboundRequest } from '../../../main/forward/outbound-request';
import { closedPort, startTargetServer } from '../../helpers/target-server';
import type { TargetServer } from '../../helpers/target-server';

const req: OutboundRequest = {
  id: asRequestId('req_r'),
  method: 'POST',
  path: '',
  query: '',
  headers: [],
  body: new Uint8Array([1, 2, 3]),
};
const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

let target: TargetServer;
let forwarder: Forwarder;
beforeAll(async () => {
  target = await startTargetServer();
  forwarder = createForwarder();
});
afterAll(async () => {
  forwarder.close();
  await target.close();
});

/** Records the waits instead of sleeping. */
function fakeDelay() {
  const waits: number[] = [];
  return { waits, delay: async (ms: number) => void waits.push(ms) };
}

describe('sendWithRetry', () => {
  it('retries 5xx and 429 with growing backoff and stops at the first 2xx', async () => {
    const start = target.requests.length;
    target.respondWith((_r, i) => ({ status: [500, 429, 502][i - start] ?? 200 }));
    const { waits, delay } = fakeDelay();
    const seen: number[] = [];
    const attempts = await sendWithRetry(forwarder, req, target.url, policy, {
      kind: 'forward',
      delay,
      random: () => 0.999,
      onAttempt: (a, n) => void seen.push(n),
    });
    expect(attempts.map((a) => a.status)).toEqual([500, 429, 502, 200]);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(waits).toEqual([99, 199, 399]);
    expect(target.requests.length - start).toBe(4);
  });

  it('gives up after the configured number of tries', async () => {
    target.respondWith({ status: 503 });
    const { waits, delay } = fakeDelay();
    const attempts = await sendWithRetry(
      forwarder,
      req,
      target.url,
      { ...policy, attempts: 3 },
      { kind: 'forward', delay },
    );
    expect(attempts).toHaveLength(3);
    expect(waits).toHaveLength(2);
  });

  it('retries network errors', async () => {
    const port = await closedPort();
    const { delay } = fakeDelay();
    const attempts = await sendWithRetry(
      forwarder,
      req,
      `http://127.0.0.1:${port}`,
      { ...policy, attempts: 2 },
      { kind: 'forward', delay },
    );
    expect(attempts.map((a) => a.error?.code)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
  });

  it.each([200, 301, 400, 404])('does not retry a %i', async (status) => {
    target.respondWith({ status });
    const { delay } = fakeDelay();
    const attempts = await sendWithRetry(forwarder, req, target.url, policy, { kind: 'forward', delay });
    expect(attempts).toHaveLength(1);
  });

  it('waits at least what Retry-After asks, capped at maxDelayMs', async () => {
    const start = target.requests.length;
    target.respondWith((_r, i) =>
      i === start ? { status: 429, headers: [['Retry-After', '1']] } : { status: 200 },
    );
    const { waits, delay } = fakeDelay();
    await sendWithRetry(
      forwarder,
      req,
      target.url,
      { ...policy, maxDelayMs: 5000 },
      { kind: 'forward', delay, random: () => 0 },
    );
    expect(waits).toEqual([1000]);
  });

  it('stops when aborted during a wait, keeping the attempts so far', async () => {
    target.respondWith({ status: 500 });
    const controller = new AbortController();
    const attempts = await sendWithRetry(
      forwarder,
      req,
      target.url,
      { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      {
        kind: 'forward',
        signal: controller.signal,
        random: () => 1,
        onAttempt: () => controller.abort(),
      },
    );
    expect(attempts).toHaveLength(1);
  });
});

describe('backoffDelay', () => {
  it('uses full jitter under an exponential ceiling capped at maxDelayMs', () => {
    expect(backoffDelay(1, policy, () => 0.5)).toBe(50);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelay(10, policy, () => 0.5)).toBe(500);
    expect(backoffDelay(2, policy, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});
