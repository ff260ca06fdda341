import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asRequestId } from '../../../common/ids';
import type { RawHeaders } from '../../../common/model';
import { createForwarder, outboundHeaders } from '../../../main/forward/forwarder';
import type { Forwarder } from '../../../main/forward/forwarder';
import type { OutboundRequest } from '../../../main/forward/outbound-request';
import { closedPort, startTargetServer } from '../../helpers/target-server';
import type { TargetServer } from '../../helpers/target-server';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

function outbound(over: Partial<OutboundRequest> = {}): OutboundRequest {
  return {
    id: asRequestId('req_1'),
    method: 'POST',
    path: '',
    query: '',
    headers: [],
    body: new Uint8Array(),
    ...over,
  };
}

/** What the target saw, minus the Connection header the client adds for keep-alive. */
const withoutConnection = (h: RawHeaders) => h.filter(([n]) => n.toLowerCase() !== 'connection');

let target: TargetServer;
let forwarder: Forwarder;
beforeAll(async () => {
  target = await startTargetServer();
  forwarder = createForwarder({ now: () => 1_700_000_000_000 });
});
afterAll(async () => {
  forwarder.close();
  await target.close();
});
beforeEach(() => target.respondWith({}));

describe('forwarder: what the target receives', () => {
  it.each(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])(
    'forwards %s with the same method',
    async (method) => {
      const n = target.requests.length;
      const body = method === 'GET' ? new Uint8Array() : bytes(`{"m":"${method}"}`);
      const attempt = await forwarder.send(
        outbound({ method, body, path: '/m', query: 'x=1' }),
        target.url + '/hooks',
      );
      const got = await target.request(n);
      expect(got.method).toBe(method);
      expect(got.url).toBe('/hooks/m?x=1');
      expect(Buffer.from(got.body).equals(Buffer.from(body))).toBe(true);
      expect(attempt.status).toBe(200);
    },
  );

  const multipart =
    '--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n' +
    '--XyZ\r\nContent-Disposition: form-data; name="f"; filename="b.bin"\r\n' +
    'Content-Type: application/octet-stream\r\n\r\n\x00\xff\xfe\r\n--XyZ--\r\n';
  it.each([
    ['JSON with odd spacing', 'application/json', bytes('{ "a" :1,\n\t"b":[ 1 ,2 ]  }\n')],
    ['invalid UTF-8', 'text/plain', new Uint8Array([0xc3, 0x28, 0xff, 0xfe, 0x00, 0x80, 0x0a])],
    ['1 MB of random binary', 'application/octet-stream', new Uint8Array(randomBytes(1024 * 1024))],
    ['a urlencoded form', 'application/x-www-form-urlencoded', bytes('a=1&b=%20x+y&c=&c=2')],
    ['multipart', 'multipart/form-data; boundary=XyZ', bytes(multipart)],
    ['an empty body', 'text/plain', new Uint8Array()],
  ])('delivers %s byte for byte', async (_name, contentType, body) => {
    const n = target.requests.length;
    await forwarder.send(outbound({ headers: [['Content-Type', contentType]], body }), target.url);
    const got = await target.request(n);
    expect(Buffer.from(got.body).equals(Buffer.from(body))).toBe(true);
    expect(got.headers).toContainEqual(['content-length', String(body.length)]);
  });

  it('keeps header order, case and duplicates, writes host first and content-length last, drops hop-by-hop', async () => {
    const n = target.requests.length;
    const headers: RawHeaders = [
      ['X-First', 'a'],
      ['Host', 'relay.example.com'],
      ['Connection', 'keep-alive, X-Conn-Only'],
      ['x-dup', '1'],
      ['X-Dup', '2'],
      ['Keep-Alive', 'timeout=5'],
      ['X-Conn-Only', 'drop me'],
      ['Proxy-Authorization', 'Basic eA=='],
      ['TE', 'trailers'],
      ['Transfer-Encoding', 'chunked'],
      ['Upgrade', 'h2c'],
      ['Trailer', 'X-T'],
      ['Content-Length', '999'],
      ['stripe-signature', 't=1,v1=abc'],
      ['x-dup', '3'],
    ];
    const attempt = await forwarder.send(outbound({ headers, body: bytes('hello') }), target.url);
    const got = await target.request(n);
    const expected: RawHeaders = [
      ['host', `127.0.0.1:${target.port}`],
      ['X-First', 'a'],
      ['x-dup', '1'],
      ['X-Dup', '2'],
      ['stripe-signature', 't=1,v1=abc'],
      ['x-dup', '3'],
      ['content-length', '5'],
    ];
    expect(withoutConnection(got.headers)).toEqual(expected);
    expect(attempt.requestHeaders).toEqual(expected);
  });

  it('adds no content-length to a bodyless GET or DELETE, and content-length: 0 to an empty POST', () => {
    const h = outboundHeaders(outbound({ method: 'GET', headers: [['Accept', '*/*']] }), 't:1', []);
    expect(h).toEqual([
      ['host', 't:1'],
      ['Accept', '*/*'],
    ]);
    const del = outboundHeaders(
      outbound({ method: 'DELETE', headers: [['Content-Length', '0']] }),
      't:1',
      [],
    );
    expect(del).toEqual([['host', 't:1']]);
    const post = outboundHeaders(outbound({ method: 'POST' }), 't:1', []);
    expect(post.at(-1)).toEqual(['content-length', '0']);
  });

  it('records exactly the header pairs the target receives', async () => {
    for (const method of ['GET', 'DELETE', 'POST', 'PROPFIND']) {
      const n = target.requests.length;
      const headers: RawHeaders = [
        ['Accept', '*/*'],
        ['Content-Length', '0'],
      ];
      const attempt = await forwarder.send(outbound({ method, headers }), target.url);
      const got = await target.request(n);
      expect(withoutConnection(got.headers)).toEqual(attempt.requestHeaders);
    }
  });

  it('lays extra headers over the request at the first same-named position', async () => {
    const n = target.requests.length;
    const headers: RawHeaders = [
      ['Webhook-Signature', 'old1'],
      ['X-A', 'a'],
      ['webhook-signature', 'old2'],
    ];
    const extraHeaders: RawHeaders = [
      ['webhook-signature', 'new'],
      ['X-Hookline-Replay', 'req_1'],
      ['Content-Length', '1'],
    ];
    await forwarder.send(outbound({ headers }), target.url, { kind: 'replay', extraHeaders });
    const got = await target.request(n);
    expect(withoutConnection(got.headers).filter(([name]) => name !== 'host')).toEqual([
      ['webhook-signature', 'new'],
      ['X-A', 'a'],
      ['X-Hookline-Replay', 'req_1'],
      ['content-length', '0'],
    ]);
  });

  it('adds the configured User-Agent only when the request has none', () => {
    expect(outboundHeaders(outbound(), 'h', [], 'Hookline/1')).toContainEqual(['User-Agent', 'Hookline/1']);
    const own = outboundHeaders(outbound({ headers: [['user-agent', 'Stripe/1.0']] }), 'h', [], 'Hookline/1');
    expect(own.filter(([n]) => n.toLowerCase() === 'user-agent')).toEqual([['user-agent', 'Stripe/1.0']]);
  });
  it('drops Expect: 100-continue, since the whole body is already in hand, and sends it', async () => {
    const n = target.requests.length;
    const headers: RawHeaders = [['Expect', '100-continue']];
    const attempt = await forwarder.send(outbound({ headers, body: bytes('x'.repeat(2048)) }), target.url);
    expect(attempt.status).toBe(200);
    const got = await target.request(n);
    expect(got.body.length).toBe(2048);
    expect(got.headers.map(([name]) => name.toLowerCase())).not.toContain('expect');
  });

  it('forwards HEAD and reads no body from the answer', async () => {
    const attempt = await forwarder.send(outbound({ method: 'HEAD' }), target.url);
    expect(attempt.status).toBe(200);
    expect(attempt.responseBody?.length).toBe(0);
  });
});

describe('forwarder: what the attempt records', () => {
  it('stores status, raw response headers, body and timing', async () => {
    target.respondWith({
      status: 201,
      headers: [
        ['X-Res', 'a'],
        ['x-res', 'b'],
        ['Content-Type', 'application/json'],
      ],
      body: '{"ok":true}',
    });
    const attempt = await forwarder.send(outbound({ path: '/p', query: 'q=1' }), target.url + '/base', {
      kind: 'replay',
    });
    expect(attempt).toMatchObject({
      kind: 'replay',
      requestId: 'req_1',
      method: 'POST',
      url: `${target.url}/base/p?q=1`,
    });
    expect(attempt.startedAt).toBe(1_700_000_000_000);
    expect(attempt.status).toBe(201);
    expect(attempt.responseHeaders?.slice(0, 3)).toEqual([
      ['X-Res', 'a'],
      ['x-res', 'b'],
      ['Content-Type', 'application/json'],
    ]);
    expect(Buffer.from(attempt.responseBody ?? []).toString()).toBe('{"ok":true}');
    expect(attempt.responseTruncated).toBeUndefined();
    expect(attempt.error).toBeUndefined();
    expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('records a 5xx answer as a response, not an error', async () => {
    target.respondWith({ status: 503, body: 'down' });
    const attempt = await forwarder.send(outbound(), target.url);
    expect(attempt.status).toBe(503);
    expect(attempt.error).toBeUndefined();
  });

  it('records a refused connection as ECONNREFUSED', async () => {
    const port = await closedPort();
    const attempt = await forwarder.send(outbound(), `http://127.0.0.1:${port}/x`);
    expect(attempt.error?.code).toBe('ECONNREFUSED');
    expect(attempt.error?.message).toMatch(/refused.*is the target running/);
    expect(attempt.status).toBeUndefined();
  });

  it('records a hanging target as a timeout after timeoutMs', async () => {
    target.respondWith({ hang: true });
    const attempt = await forwarder.send(outbound(), target.url, { kind: 'forward', timeoutMs: 150 });
    expect(attempt.error).toEqual({ code: 'timeout', message: expect.stringContaining('150 ms') });
    expect(attempt.durationMs).toBeGreaterThanOrEqual(140);
  });

  it('tries a reset before any answer once more, then records ECONNRESET', async () => {
    target.respondWith({ reset: true });
    const n = target.requests.length;
    const attempt = await forwarder.send(outbound({ body: bytes('x') }), target.url);
    expect(attempt.error?.code).toBe('ECONNRESET');
    expect(attempt.error?.message).toMatch(/reset the connection/);
    expect(target.requests.length - n).toBe(2);
  });

  it('keeps the answer of the second try when the first was reset', async () => {
    const n = target.requests.length;
    target.respondWith((_req, index) => (index === n ? { reset: true } : { status: 202, body: 'again' }));
    const attempt = await forwarder.send(outbound({ body: bytes('x') }), target.url);
    expect(attempt.error).toBeUndefined();
    expect(attempt.status).toBe(202);
    expect(target.requests.length - n).toBe(2);
  });

  it('records a reset in the middle of the response body, keeping the status', async () => {
    target.respondWith({ status: 200, body: 'x'.repeat(10_000), resetAfterBytes: 100 });
    const attempt = await forwarder.send(outbound(), target.url);
    expect(attempt.status).toBe(200);
    expect(attempt.error?.code).toBe('ECONNRESET');
  });

  it('records an unresolvable host as ENOTFOUND (or EAI_AGAIN without DNS)', async () => {
    const attempt = await forwarder.send(outbound(), 'http://no-such-host.invalid/', {
      kind: 'forward',
      timeoutMs: 10_000,
    });
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(attempt.error?.code);
  });

  it('records a bad target URL as invalid_target without sending', async () => {
    const attempt = await forwarder.send(outbound(), 'localhost:3000');
    expect(attempt.error?.code).toBe('invalid_target');
  });

  it('cuts the response body at maxResponseBytes and says so', async () => {
    const small = createForwarder({ maxResponseBytes: 1000 });
    try {
      target.respondWith({ body: 'y'.repeat(50_000) });
      const cut = await small.send(outbound(), target.url);
      expect(cut.responseBody?.length).toBe(1000);
      expect(cut.responseTruncated).toBe(true);
      target.respondWith({ body: 'z'.repeat(1000) });
      const exact = await small.send(outbound(), target.url);
      expect(exact.responseBody?.length).toBe(1000);
      expect(exact.responseTruncated).toBeUndefined();
    } finally {
      small.close();
    }
  });

  it('records a cancelled send as aborted', async () => {
    target.respondWith({ hang: true });
    const controller = new AbortController();
    const pending = forwarder.send(outbound(), target.url, { kind: 'forward', signal: controller.signal });
    const n = target.requests.length;
    await target.request(n);
    controller.abort();
    expect((await pending).error?.code).toBe('aborted');
  });

  it('sends many requests concurrently over kept-alive sockets', async () => {
    const sends = Array.from({ length: 200 }, (_, i) =>
      forwarder.send(outbound({ body: bytes(String(i)) }), target.url),
    );
    const attempts = await Promise.all(sends);
    expect(attempts.every((a) => a.status === 200)).toBe(true);
  });
});
