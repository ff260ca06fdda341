import { once } from 'node:events';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../../common/protocol';
import { connectSubscriber, streamUrl } from '../../helpers/relay-subscriber';
import { startRelay, type TestRelay } from '../../helpers/relay-harness';
import { send } from '../../helpers/relay-http';

/** Opens a socket and resolves with the HTTP status of a refused upgrade. */
async function upgradeStatus(url: string, token: string): Promise<number> {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  ws.on('error', () => {});
  const [, res] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
  ws.terminate();
  return res.statusCode;
}

describe('the subscriber stream', () => {
  let relay: TestRelay;
  afterEach(() => relay.stop());

  it('refuses a wrong bearer token with 401 and an unknown channel with 404 before upgrading', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel();
    expect(await upgradeStatus(streamUrl(relay.url, channel.id), 'wrong')).toBe(401);
    expect(await upgradeStatus(streamUrl(relay.url, 'ch_nothing'), channel.token)).toBe(404);
  });

  it('closes with 4001 for a wrong token in hello, and that socket never sees a delivery', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel();
    await send(channel.url, { body: 'secret' });
    const thief = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: 'guess',
      tokenIn: 'hello',
    });
    const closed = await thief.closed;
    expect(closed.code).toBe(4001);
    expect(thief.deliveries).toEqual([]);
    expect(thief.errors[0]?.code).toBe('unauthorized');
  });

  it('accepts the token in hello', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel();
    await send(channel.url, { body: 'hi' });
    const sub = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      tokenIn: 'hello',
    });
    const [got] = await sub.waitFor(1);
    expect(Buffer.from(got!.body).toString()).toBe('hi');
    await sub.close();
  });

  it('closes with 4004 for an unknown channel named in the path when the token is in hello', async () => {
    relay = await startRelay();
    const sub = connectSubscriber({
      relayUrl: relay.url,
      channelId: 'ch_none',
      token: 'x',
      tokenIn: 'hello',
    });
    expect((await sub.closed).code).toBe(4004);
  });

  it('sends unsupported_version and closes 4005 for another protocol version', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel();
    const sub = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      protocolVersion: PROTOCOL_VERSION + 1,
    });
    expect((await sub.closed).code).toBe(4005);
    expect(sub.errors[0]?.code).toBe('unsupported_version');
  });

  it('closes 4000 with the parse reason for a malformed message', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel();
    const sub = connectSubscriber({ relayUrl: relay.url, channelId: channel.id, token: channel.token });
    await sub.welcome;
    sub.ws.send('{"type":"ack","seq":"three"}');
    const closed = await sub.closed;
    expect(closed.code).toBe(4000);
    expect(closed.reason).toMatch(/'seq' must be a non-negative integer/);
    expect(sub.errors[0]?.code).toBe('bad_message');
  });

  it('closes 4000 for a message of an unknown type and for a message before hello', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel();
    const early = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      sendHello: false,
    });
    await once(early.ws, 'open');
    early.ws.send('{"type":"ack","seq":1}');
    expect((await early.closed).reason).toMatch(/before the handshake/);
    const odd = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      sendHello: false,
    });
    await once(odd.ws, 'open');
    odd.ws.send('{"type":"gimme"}');
    expect(await odd.closed).toEqual({ code: 4000, reason: "unknown message type 'gimme'" });
  });

  it('closes 4008 when no hello arrives in time', async () => {
    relay = await startRelay({ handshakeTimeoutMs: 100 });
    const channel = await relay.createChannel();
    const sub = connectSubscriber({
      relayUrl: relay.url,
      channelId: channel.id,
      token: channel.token,
      sendHello: false,
    });
    expect((await sub.closed).code).toBe(4008);
  });

  it('ends a socket that stops answering pings', async () => {
    relay = await startRelay({ heartbeatMs: 50 });
    const channel = await relay.createChannel();
    const ws = new WebSocket(streamUrl(relay.url, channel.id), {
      headers: { authorization: `Bearer ${channel.token}` },
      autoPong: false,
    });
    await once(ws, 'open');
    ws.send(
      JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, subscriberId: 'mute', lastSeq: 0 }),
    );
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(1006);
  });

  it('gives every delivery to each of two subscribers', async () => {
    relay = await startRelay();
    const channel = await relay.createChannel();
    const opts = { relayUrl: relay.url, channelId: channel.id, token: channel.token };
    const a = connectSubscriber({ ...opts, subscriberId: 'laptop' });
    const b = connectSubscriber({ ...opts, subscriberId: 'teammate' });
    await Promise.all([a.welcome, b.welcome]);
    await Promise.all(Array.from({ length: 30 }, (_, i) => send(channel.url, { body: String(i) })));
    const seqs = (s: typeof a) => s.deliveries.map((r) => r.seq);
    await Promise.all([a.waitFor(30), b.waitFor(30)]);
    expect(seqs(a)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(seqs(b)).toEqual(seqs(a));
    await Promise.all([a.close(), b.close()]);
  });
});
