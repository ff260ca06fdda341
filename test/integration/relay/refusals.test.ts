import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startRelay, createChannel, type TestRelay } from '../../helpers/relay-harness';
import { json, send, type RawResponse } from '../../helpers/relay-http';

function errorOf(res: RawResponse): { code: string; message: string } {
  return json(res).error as { code: string; message: string };
}

/** Streams `total` bytes without a Content-Length, as chunked uploads do. */
function sendChunked(url: string, total: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 1);
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('the relay refuses, with a JSON error body', () => {
  let relay: TestRelay;
  afterEach(() => relay.stop());

  it('a request to an unknown channel with 404 channel_not_found', async () => {
    relay = await startRelay();
    const res = await send(`${relay.url}/h/ch_doesNotExist/x`, { body: '{}' });
    expect(res.status).toBe(404);
    expect(errorOf(res).code).toBe('channel_not_found');
  });

  it('an unknown route with 404 not_found', async () => {
    relay = await startRelay();
    const res = await send(`${relay.url}/nope`, { method: 'GET' });
    expect(res.status).toBe(404);
    expect(errorOf(res).code).toBe('not_found');
  });

  it('a body over --max-body with 413, and stays healthy', async () => {
    relay = await startRelay({ maxBody: 1024 * 1024 });
    const channel = await relay.createChannel();
    const declared = await send(channel.url, { body: Buffer.alloc(1024 * 1024 + 1) });
    expect(declared.status).toBe(413);
    expect(errorOf(declared).code).toBe('payload_too_large');
    expect(await sendChunked(channel.url, 8 * 1024 * 1024)).toBe(413);
    expect((await send(`${relay.url}/healthz`, { method: 'GET' })).status).toBe(200);
    expect((await send(channel.url, { body: Buffer.alloc(1024 * 1024) })).status).toBe(200);
  });

  it('headers over the size limit with 431', async () => {
    relay = await startRelay({ maxHeaderBytes: 4096 });
    const channel = await relay.createChannel();
    const res = await send(channel.url, { body: '{}', headers: [['X-Big', 'a'.repeat(8000)]] });
    expect(res.status).toBe(431);
    expect(errorOf(res).code).toBe('headers_too_large');
  });

  it('more header lines than the limit with 431, instead of storing the request with some cut off', async () => {
    relay = await startRelay({ maxHeaderCount: 20 });
    const channel = await relay.createChannel();
    const lines = (n: number) => Array.from({ length: n }, (_, i) => [`X-H${i}`, 'v'] as [string, string]);
    expect((await send(channel.url, { body: '{}', headers: lines(10) })).status).toBe(200);
    const res = await send(channel.url, { body: '{}', headers: lines(40) });
    expect(res.status).toBe(431);
    expect(errorOf(res).code).toBe('headers_too_large');
    expect(errorOf(res).message).toContain('More than 20 header lines');
  });

  it('a channel over its rate limit with 429 and Retry-After', async () => {
    relay = await startRelay({ channelRateLimit: { ratePerSec: 1, burst: 3 } });
    const channel = await relay.createChannel();
    const statuses: number[] = [];
    let limited: RawResponse | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await send(channel.url, { body: String(i) });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(errorOf(limited!).code).toBe('rate_limited');
  });

  it('a taken channel name with 409 name_taken', async () => {
    relay = await startRelay();
    await relay.createChannel({ name: 'stripe-dev' });
    const res = await send(`${relay.url}/api/channels`, {
      headers: [['Content-Type', 'application/json']],
      body: '{"name":"stripe-dev"}',
    });
    expect(res.status).toBe(409);
    expect(errorOf(res).code).toBe('name_taken');
  });

  it('a bad name, mode or JSON with 400', async () => {
    relay = await startRelay();
    const post = (body: string) =>
      send(`${relay.url}/api/channels`, { headers: [['Content-Type', 'application/json']], body });
    for (const body of ['{"name":"no spaces"}', '{"responseMode":"later"}', '{"name":', '[1]']) {
      const res = await post(body);
      expect(res.status, body).toBe(400);
      expect(errorOf(res).code).toBe('bad_request');
    }
  });

  it('channel creation without the admin token when the relay has one, with 401', async () => {
    relay = await startRelay({ adminToken: 'sekret' });
    const res = await send(`${relay.url}/api/channels`, { body: '' });
    expect(res.status).toBe(401);
    expect(errorOf(res).code).toBe('unauthorized');
    const wrong = await send(`${relay.url}/api/channels`, {
      body: '',
      headers: [['Authorization', 'Bearer nope']],
    });
    expect(wrong.status).toBe(401);
    const channel = await createChannel(relay.url, { name: 'ok' }, 'sekret');
    expect(channel.url).toBe(`${relay.url}/h/ok`);
  });

  it('open channel creation past the per-address limit with 429', async () => {
    relay = await startRelay({ createRateLimit: { ratePerSec: 1 / 3600, burst: 2 } });
    await relay.createChannel();
    await relay.createChannel();
    const res = await send(`${relay.url}/api/channels`, { body: '' });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(60);
  });
});
