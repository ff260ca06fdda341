import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSubscriber, type TestSubscriber } from '../../helpers/relay-subscriber';
import { startRelay, type TestChannel, type TestRelay } from '../../helpers/relay-harness';
import { send } from '../../helpers/relay-http';

describe('the relay delivers what the sender sent, byte for byte', () => {
  let relay: TestRelay;
  let channel: TestChannel;
  let subscriber: TestSubscriber;
  let received = 0;

  beforeAll(async () => {
    relay = await startRelay();
    channel = await relay.createChannel();
    subscriber = connectSubscriber({ relayUrl: relay.url, channelId: channel.id, token: channel.token });
    await subscriber.welcome;
  });
  afterAll(async () => {
    await subscriber.close();
    await relay.stop();
  });

  /** Posts and returns what the subscriber got for it. */
  async function roundTrip(suffix: string, init: Parameters<typeof send>[1]) {
    const res = await send(channel.url + suffix, init);
    expect(res.status, res.body.toString()).toBe(200);
    received += 1;
    const all = await subscriber.waitFor(received);
    return all[received - 1]!;
  }

  const bodies: Array<[string, Uint8Array]> = [
    ['odd spacing and 1.0', Buffer.from('{ "amount" :  1.0 ,\n\t"b":[ 1,2 ] }\r\n', 'utf8')],
    ['unicode', Buffer.from('{"name":"Zoë 🚀 東京","e":"\u00e9"}', 'utf8')],
    ['invalid UTF-8', new Uint8Array([0xff, 0xfe, 0xc3, 0x28, 0x00, 0x7b, 0xed, 0xa0, 0x80])],
    ['a form', Buffer.from('a=1&b=%20x+y&b=2&empty=&%F0%9F%9A%80=rocket', 'utf8')],
    [
      'multipart with a binary part',
      Buffer.concat([
        Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n'),
        Buffer.from([0, 1, 2, 255, 13, 10, 45, 45]),
        Buffer.from('\r\n--XyZ--\r\n'),
      ]),
    ],
    ['an empty body', new Uint8Array(0)],
  ];

  for (const [what, body] of bodies) {
    it(`keeps ${what} exact`, async () => {
      const got = await roundTrip('', { body, headers: [['Content-Type', 'application/octet-stream']] });
      expect(Buffer.from(got.body).equals(Buffer.from(body))).toBe(true);
    });
  }

  for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']) {
    it(`captures a ${method} with its path suffix and raw query`, async () => {
      const body = method === 'GET' || method === 'HEAD' ? undefined : `{"m":"${method}"}`;
      const got = await roundTrip('/a%20b/c%2Fd/?x=1&x=2&y=%C3%A9&z', { method, body });
      expect(got.method).toBe(method);
      expect(got.path).toBe('/a%20b/c%2Fd/');
      expect(got.query).toBe('x=1&x=2&y=%C3%A9&z');
      expect(Buffer.from(got.body).toString()).toBe(body ?? '');
    });
  }

  it('keeps header order, case and duplicates', async () => {
    const headers: Array<[string, string]> = [
      ['X-Dup', 'one'],
      ['x-dup', 'two'],
      ['Stripe-Signature', 't=1,v1=abc'],
      ['X-Dup', 'three'],
      ['x-WEIRD-case', '  spaced value'],
    ];
    const got = await roundTrip('', { headers, body: '{}' });
    const ours = new Set(headers.map(([n]) => n.toLowerCase()));
    expect(got.headers.filter(([n]) => ours.has(n.toLowerCase()))).toEqual(
      headers.map(([n, v]) => [n, v.trim()]),
    );
  });

  it('has no query and no suffix when the sender sent none', async () => {
    const got = await roundTrip('', { body: 'x' });
    expect(got.path).toBe('');
    expect(got.query).toBe('');
  });

  it('carries a 25 MB random binary body intact', async () => {
    const body = randomBytes(25 * 1024 * 1024);
    const got = await roundTrip('/big', { body, headers: [['Content-Type', 'application/octet-stream']] });
    const digest = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    expect(got.body.byteLength).toBe(body.byteLength);
    expect(digest(got.body)).toBe(digest(body));
  });
});
