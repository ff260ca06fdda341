import { afterEach, describe, expect, it } from 'vitest';
import { connectSubscriber } from '../../helpers/relay-subscriber';
import { startRelay, type TestRelay } from '../../helpers/relay-harness';
import { send } from '../../helpers/relay-http';

async function metrics(relay: TestRelay): Promise<Map<string, number>> {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\S+) (\S+)$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

describe('metrics and pruning', () => {
  let relay: TestRelay;
  afterEach(() => relay.stop());

  it('counts requests by status, deliveries, acks, bytes and subscribers', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel();
    const sub = connectSubscriber({ relayUrl: relay.url, channelId: channel.id, token: channel.token });
    await sub.welcome;
    for (const body of ['a', 'bb', 'ccc']) await send(channel.url, { body });
    await send(`${relay.url}/h/ch_missing`, { body: 'x' });
    await sub.waitFor(3);
    const m = await metrics(relay);
    expect(m.get('hookline_relay_requests_total{code="200"}')).toBe(3);
    expect(m.get('hookline_relay_requests_total{code="404"}')).toBe(1);
    expect(m.get('hookline_relay_deliveries_total')).toBe(3);
    expect(m.get('hookline_relay_bytes_total')).toBe(6);
    expect(m.get('hookline_relay_subscribers')).toBe(1);
    expect(m.get('hookline_relay_ingest_seconds_count')).toBe(4);
    expect(m.get('hookline_relay_channels_created_total')).toBe(1);
    await sub.close();
  });

  it('deletes deliveries once every known subscriber acked them, not before', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel();
    for (let i = 0; i < 4; i++) await send(channel.url, { body: String(i) });
    await relay.relay.prune();
    expect((await metrics(relay)).get('hookline_relay_buffered')).toBe(4);

    const fast = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      subscriberId: 'fast',
    });
    const slow = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      subscriberId: 'slow',
      autoAck: false,
    });
    await fast.waitFor(4);
    await slow.waitFor(4);
    fast.ack(4);
    slow.ack(2);
    await fast.close();
    await slow.close();
    expect((await relay.relay.prune()).acked).toBe(2);
    const m = await metrics(relay);
    expect(m.get('hookline_relay_buffered')).toBe(2);
    expect(m.get('hookline_relay_acks_total')).toBeGreaterThanOrEqual(2);
  });

  it('drops deliveries past retention and counts them', async () => {
    let now = 1_700_000_000_000;
    relay = await startRelay({ now: () => now, retention: 60_000 });
    const channel = await relay.createChannel();
    await send(channel.url, { body: 'old' });
    now += 61_000;
    await send(channel.url, { body: 'new' });
    expect((await relay.relay.prune()).retention).toBe(1);
    const m = await metrics(relay);
    expect(m.get('hookline_relay_dropped_total{reason="retention"}')).toBe(1);
    expect(m.get('hookline_relay_buffered')).toBe(1);
    const sub = connectSubscriber({ relayUrl: relay.url, channelId: channel.id, token: channel.token });
    const [got] = await sub.waitFor(1);
    expect(Buffer.from(got!.body).toString()).toBe('new');
    expect(got!.seq).toBe(2);
    await sub.close();
  });

  it('drops the oldest deliveries of a channel over its byte cap', async () => {
    relay = await startRelay({ maxChannelBytes: 2500 });
    const channel = await relay.createChannel();
    for (let i = 0; i < 5; i++) await send(channel.url, { body: Buffer.alloc(1000, 65 + i) });
    expect((await relay.relay.prune()).byteCap).toBe(3);
    expect((await metrics(relay)).get('hookline_relay_dropped_total{reason="byte_cap"}')).toBe(3);
  });

  it('on close, releases a held sender with 503 and closes subscribers with 1001', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel({ responseMode: 'wait' });
    let closing: Promise<void> | undefined;
    const sub = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      onDelivery: () => (closing = relay.relay.close()),
    });
    await sub.welcome;
    const res = await send(channel.url, { body: 'held' });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body.toString()).error.message).toMatch(/shutting down.*stored as rq_/);
    expect((await sub.closed).code).toBe(1001);
    await closing;
  });
});
