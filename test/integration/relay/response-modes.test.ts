import { afterEach, describe, expect, it } from 'vitest';
import { asRequestId } from '../../../common/ids';
import { connectSubscriber } from '../../helpers/relay-subscriber';
import { startRelay, type TestRelay } from '../../helpers/relay-harness';
import { json, send } from '../../helpers/relay-http';

describe('response modes', () => {
  let relay: TestRelay;
  afterEach(() => relay.stop());

  it('ack: answers 200 with the request id once the request is stored', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel({ responseMode: 'ack' });
    const res = await send(channel.url, { body: '{}' });
    expect(res.status).toBe(200);
    expect(json(res)).toEqual({ ok: true, id: expect.stringMatching(/^rq_/) });
  });

  it("wait: hands the subscriber's answer to the sender byte for byte", async () => {
    relay = await startRelay();
    const channel = await relay.createChannel({ responseMode: 'wait' });
    const answer = new Uint8Array([0x7b, 0x20, 0x22, 0xff, 0x22, 0x7d]);
    const sub = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      onDelivery: (request) =>
        sub.respond({
          requestId: request.id,
          status: 202,
          headers: [
            ['X-Answer', 'a'],
            ['x-answer', 'b'],
            ['Content-Type', 'application/weird'],
            ['Connection', 'close'],
            ['Transfer-Encoding', 'chunked'],
          ],
          body: answer,
        }),
    });
    await sub.welcome;
    const res = await send(channel.url, { body: 'challenge' });
    expect(res.status).toBe(202);
    expect(Buffer.from(res.body).equals(Buffer.from(answer))).toBe(true);
    const pairs = [];
    for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i], res.rawHeaders[i + 1]]);
    expect(pairs.filter(([n]) => /answer|content-type/i.test(n!))).toEqual([
      ['X-Answer', 'a'],
      ['x-answer', 'b'],
      ['Content-Type', 'application/weird'],
    ]);
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(res.headers['content-length']).toBe(String(answer.byteLength));
    await sub.close();
  });

  it('wait: answers 504 with a clear body when the app is silent, and still delivers the request', async () => {
    relay = await startRelay({ waitTimeoutMs: 200 });
    const channel = await relay.createChannel({ responseMode: 'wait' });
    const res = await send(channel.url, { body: 'nobody home' });
    expect(res.status).toBe(504);
    const error = json(res).error as { code: string; message: string; id: string };
    expect(error.code).toBe('upstream_timeout');
    expect(error.message).toMatch(/did not answer within 200 ms.*stored/);
    const sub = connectSubscriber({ relayUrl: relay.url, channelId: channel.id, token: channel.token });
    const [got] = await sub.waitFor(1);
    expect(got!.id).toBe(error.id);
    await sub.close();
  });

  it('wait: ignores an answer from a subscriber of another channel', async () => {
    relay = await startRelay({ waitTimeoutMs: 300 });
    const target = await relay.createChannel({ responseMode: 'wait' });
    const other = await relay.createChannel();
    const intruder = connectSubscriber({ relayUrl: relay.url, channelId: other.id, token: other.token });
    await intruder.welcome;
    const watcher = connectSubscriber({
      relayUrl: relay.url,
      channelId: target.id,
      token: target.token,
      onDelivery: (request) =>
        intruder.respond({
          requestId: asRequestId(request.id),
          status: 200,
          headers: [],
          body: new Uint8Array(),
        }),
    });
    await watcher.welcome;
    expect((await send(target.url, { body: 'x' })).status).toBe(504);
    await intruder.close();
    await watcher.close();
  });

  it('reject-offline: 503 with Retry-After and nothing stored while nobody listens, 200 once someone does', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel({ responseMode: 'reject-offline' });
    const refused = await send(channel.url, { body: 'early' });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((json(refused).error as { code: string }).code).toBe('subscriber_offline');

    const sub = connectSubscriber({ relayUrl: relay.url, channelId: channel.id, token: channel.token });
    await sub.welcome;
    expect((await send(channel.url, { body: 'late' })).status).toBe(200);
    const [got] = await sub.waitFor(1);
    expect(Buffer.from(got!.body).toString()).toBe('late');
    expect(got!.seq).toBe(1);
    await sub.close();
  });
});
