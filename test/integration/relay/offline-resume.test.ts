import { afterEach, describe, expect, it } from 'vitest';
import { connectSubscriber } from '../../helpers/relay-subscriber';
import { startRelay, type TestRelay } from '../../helpers/relay-harness';
import { send } from '../../helpers/relay-http';

describe('a subscriber that was offline', () => {
  let relay: TestRelay;
  afterEach(() => relay.stop());

  it('receives every request accepted while it was away, in order, and none twice after acks', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel();
    const first = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      subscriberId: 'app-1',
    });
    await first.welcome;
    await send(channel.url, { body: 'before' });
    const [before] = await first.waitFor(1);
    first.ack(before!.seq);
    await first.close();

    const statuses = await Promise.all(
      Array.from({ length: 100 }, (_, n) => send(channel.url, { body: `{"n":${n}}` }).then((r) => r.status)),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);

    const again = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      subscriberId: 'app-1',
      lastSeq: before!.seq,
    });
    expect((await again.welcome).resumeFrom).toBe(before!.seq);
    const got = await again.waitFor(100);
    expect(got.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => before!.seq + 1 + i));
    expect(got.map((r) => JSON.parse(Buffer.from(r.body).toString()).n).sort((a, b) => a - b)).toEqual([
      ...Array(100).keys(),
    ]);
    again.ack(got[99]!.seq);
    await again.close();

    const third = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      subscriberId: 'app-1',
      lastSeq: got[99]!.seq,
    });
    await third.welcome;
    await send(channel.url, { body: 'after' });
    const [next] = await third.waitFor(1);
    expect(Buffer.from(next!.body).toString()).toBe('after');
    expect(third.deliveries).toHaveLength(1);
    await third.close();
  });

  it('gets deliveries again from the seq it says it holds, even below what it acked', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel();
    for (let n = 0; n < 5; n++) await send(channel.url, { body: String(n) });
    const a = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      subscriberId: 'a',
    });
    const b = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      subscriberId: 'b',
      autoAck: false,
    });
    await a.waitFor(5);
    await b.waitFor(5);
    a.ack(5);
    await a.close();
    const resumed = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      subscriberId: 'a',
      lastSeq: 2,
    });
    const got = await resumed.waitFor(3);
    expect(got.map((r) => r.seq)).toEqual([3, 4, 5]);
    await resumed.close();
    await b.close();
  });

  it('starts a new subscriber from what is still buffered, alongside another one', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel();
    const one = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      subscriberId: 'one',
    });
    await one.welcome;
    for (let n = 0; n < 20; n++) await send(channel.url, { body: String(n) });
    const two = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      subscriberId: 'two',
    });
    await two.welcome;
    for (let n = 20; n < 40; n++) await send(channel.url, { body: String(n) });
    const bodies = (s: typeof one) => s.deliveries.map((r) => Buffer.from(r.body).toString());
    await one.waitFor(40);
    await two.waitFor(40);
    expect(bodies(one)).toEqual(Array.from({ length: 40 }, (_, i) => String(i)));
    expect(bodies(two)).toEqual(bodies(one));
    await one.close();
    await two.close();
  });
});
