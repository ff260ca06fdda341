// The relay client against a scripted relay on port 0: resume, acks after storing, reconnects, heartbeat.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { asChannelId, asRequestId, asSubscriberId } from '../../../common/ids';
import type { CapturedRequest } from '../../../common/model';
import {
  encodeRelayMessage,
  parseClientMessage,
  PROTOCOL_VERSION,
  type ClientMessage,
} from '../../../common/protocol';
import { RelayClient } from '../../../main/engine/relay-client';

const channelId = asChannelId('ch_test');

function delivery(seq: number): Uint8Array {
  const request: CapturedRequest = {
    id: asRequestId(`rq_${seq}`),
    channelId,
    seq,
    method: 'POST',
    path: '',
    query: '',
    headers: [],
    body: new TextEncoder().encode(`{"n":${seq}}`),
    receivedAt: 1,
  };
  return encodeRelayMessage({ type: 'delivery', seq, request }) as Uint8Array;
}

/** A scripted relay: records every client message, lets the test drive each socket. */
async function scriptedRelay() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(wss, 'listening');
  const messages: ClientMessage[] = [];
  const sockets: WebSocket[] = [];
  const waiters: Array<() => void> = [];
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const msg = parseClientMessage(data, isBinary);
      messages.push(msg);
      if (msg.type === 'hello') {
        ws.send(
          JSON.stringify({
            type: 'welcome',
            protocolVersion: PROTOCOL_VERSION,
            channelId,
            subscriberId: msg.subscriberId,
            responseMode: 'ack',
            resumeFrom: msg.lastSeq,
            heartbeatMs: 60_000,
          }),
        );
      }
      for (const w of waiters.splice(0)) w();
    });
  });
  const until = async (pred: () => boolean) => {
    while (!pred()) await new Promise<void>((r) => waiters.push(r));
  };
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/api/channels/ch_test/stream`,
    messages,
    sockets,
    until,
    close: () => new Promise((r) => wss.close(r)),
  };
}

describe('RelayClient', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup(extra: Partial<ConstructorParameters<typeof RelayClient>[0]> = {}) {
    const relay = await scriptedRelay();
    let stored = 0;
    const received: number[] = [];
    let release: () => void = () => {};
    let gate: Promise<void> | undefined;
    const client = new RelayClient({
      streamUrl: relay.url,
      token: 't',
      subscriberId: asSubscriberId('sub_1'),
      lastSeq: () => stored,
      onDeliveries: async (batch) => {
        if (gate) await gate;
        received.push(...batch.map((r) => r.seq));
        stored = batch[batch.length - 1]!.seq;
      },
      backoffBaseMs: 10,
      random: () => 0.5,
      ...extra,
    });
    cleanup.push(
      () => relay.close(),
      () => client.stop(),
    );
    const hold = () => (gate = new Promise<void>((r) => (release = r)));
    return { relay, client, received, hold, release: () => release(), stored: () => stored };
  }

  it('says the seq it holds in hello and acks only after the batch is stored', async () => {
    const { relay, client, hold, release, stored } = await setup();
    // Client and relay share this process, so when an ack reaches the relay the write it confirms must be done.
    const storedWhenAcked: Array<[number, number]> = [];
    client.start();
    await relay.until(() => relay.messages.some((m) => m.type === 'hello'));
    expect(relay.messages[0]).toMatchObject({ type: 'hello', protocolVersion: PROTOCOL_VERSION, lastSeq: 0 });
    relay.sockets[0]!.on('message', (data: Buffer) => {
      const msg = parseClientMessage(data, false);
      if (msg.type === 'ack') storedWhenAcked.push([msg.seq, stored()]);
    });
    void hold();
    for (let seq = 1; seq <= 3; seq++) relay.sockets[0]!.send(delivery(seq));
    for (let seq = 4; seq <= 6; seq++) setImmediate(() => relay.sockets[0]!.send(delivery(seq)));
    setTimeout(release, 20);
    await relay.until(() => relay.messages.some((m) => m.type === 'ack' && m.seq === 6));
    expect(storedWhenAcked.length).toBeGreaterThan(0);
    for (const [acked, storedSeq] of storedWhenAcked) expect(storedSeq).toBeGreaterThanOrEqual(acked);
  });

  it('reconnects after the relay drops it and resumes from the stored seq', async () => {
    const { relay, client, received } = await setup();
    client.start();
    await relay.until(() => relay.sockets.length === 1 && relay.messages.length === 1);
    relay.sockets[0]!.send(delivery(1));
    relay.sockets[0]!.send(delivery(2));
    await relay.until(() => relay.messages.some((m) => m.type === 'ack' && m.seq === 2));
    relay.sockets[0]!.terminate();
    await relay.until(() => relay.messages.filter((m) => m.type === 'hello').length === 2);
    expect(relay.messages.filter((m) => m.type === 'hello').at(-1)).toMatchObject({ lastSeq: 2 });
    expect(received).toEqual([1, 2]);
  });

  it('notices a silent, half-open connection and reconnects', async () => {
    const { relay, client } = await setup({ heartbeatTimeoutMs: 200 });
    const states: string[] = [];
    client.on('state', (s, detail) => states.push(`${s}${detail ? `: ${detail}` : ''}`));
    client.start();
    await relay.until(() => relay.messages.filter((m) => m.type === 'hello').length === 2);
    expect(states.some((s) => s.startsWith('reconnecting: no heartbeat from the relay for 200 ms'))).toBe(
      true,
    );
  });

  it('stops for good when the relay refuses the token', async () => {
    const { relay, client } = await setup();
    const fatal = once(client, 'fatal');
    client.start();
    await relay.until(() => relay.sockets.length === 1);
    relay.sockets[0]!.close(4001, 'wrong token');
    const [error] = (await fatal) as [Error];
    expect(error.message).toContain('refused this channel');
    expect(client.state).toBe('failed');
  });
});
