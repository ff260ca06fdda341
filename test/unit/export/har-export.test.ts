import { describe, expect, it } from 'vitest';
import { asAttemptId, asChannelId, asRequestId } from '../../../common/ids';
import type { Attempt, StoredRequest } from '../../../common/model';
import { toHar } from '../../../main/export/har-export';
import { validateHar } from '../../helpers/har-validator';

const t0 = Date.parse('2025-03-01T12:00:00.000Z');
function stored(over: Partial<StoredRequest> = {}): StoredRequest {
  return {
    id: asRequestId('req_1'),
    channelId: asChannelId('ch_a'),
    seq: 1,
    method: 'POST',
    path: '/stripe',
    query: 'a=1&b=x%20y&c',
    headers: [
      ['Content-Type', 'application/json'],
      ['Cookie', 'sid=abc; theme=dark'],
      ['X-Dup', '1'],
      ['x-dup', '2'],
    ],
    body: new Uint8Array(Buffer.from('{"a":1}')),
    receivedAt: t0,
    ...over,
  };
}
function attempt(over: Partial<Attempt> = {}): Attempt {
  return {
    id: asAttemptId('att_1'),
    requestId: asRequestId('req_1'),
    kind: 'forward',
    url: 'http://localhost:3000/w/stripe?a=1',
    method: 'POST',
    requestHeaders: [],
    startedAt: t0 + 5,
    durationMs: 12.5,
    status: 200,
    responseHeaders: [
      ['Content-Type', 'text/plain'],
      ['Set-Cookie', 'k=v; Path=/; HttpOnly'],
    ],
    responseBody: new Uint8Array(Buffer.from('ok')),
    ...over,
  };
}

describe('toHar', () => {
  it('builds a valid HAR 1.2 log from requests with and without attempts', () => {
    const log = toHar(
      [
        { ...stored(), attempts: [attempt()] },
        stored({ id: asRequestId('req_2'), method: 'GET', body: new Uint8Array(), query: '' }),
        {
          ...stored({ id: asRequestId('req_3') }),
          attempts: [
            attempt({
              status: undefined,
              responseHeaders: undefined,
              responseBody: undefined,
              error: { code: 'ECONNREFUSED', message: 'refused' },
            }),
          ],
        },
        {
          ...stored({ body: new Uint8Array([0xff, 0x00, 0xfe]) }),
          attempts: [attempt({ responseBody: new Uint8Array([0xc3, 0x28]), responseTruncated: true })],
        },
      ],
      { baseUrl: 'https://relay.example.com/' },
    );
    expect(validateHar(log)).toEqual([]);
    expect(log.log.version).toBe('1.2');
    expect(log.log.creator).toEqual({ name: 'Hookline', version: expect.any(String) });
    expect(log.log.entries).toHaveLength(4);
  });

  it('has a validator that catches a missing or mistyped field', () => {
    const log = toHar([stored()], { baseUrl: 'http://r' });
    const broken = JSON.parse(JSON.stringify(log));
    delete broken.log.entries[0].timings.wait;
    broken.log.entries[0].request.headers[0].value = 1;
    expect(validateHar(broken)).toEqual([
      'har.log.entries[0].request.headers[0].value: number, expected string',
      'har.log.entries[0].timings.wait: missing',
    ]);
  });

  it('maps the request: URL, headers in order, query, cookies, body', () => {
    const [e] = toHar([stored()], { baseUrl: 'https://relay.example.com' }).log.entries;
    expect(e?.startedDateTime).toBe('2025-03-01T12:00:00.000Z');
    expect(e?.request.url).toBe('https://relay.example.com/h/ch_a/stripe?a=1&b=x%20y&c');
    expect(e?.request.headers.map((h) => [h.name, h.value])).toEqual(stored().headers);
    expect(e?.request.queryString).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: 'x y' },
      { name: 'c', value: '' },
    ]);
    expect(e?.request.cookies).toEqual([
      { name: 'sid', value: 'abc' },
      { name: 'theme', value: 'dark' },
    ]);
    expect(e?.request.bodySize).toBe(7);
    expect(e?.request.postData).toMatchObject({ mimeType: 'application/json', text: '{"a":1}' });
    expect(e?.response.status).toBe(0);
  });

  it('takes the response from the latest attempt, with timings summing to time', () => {
    const older = attempt({ status: 500, startedAt: t0 + 1 });
    const newer = attempt({ status: 201, startedAt: t0 + 9, durationMs: 30 });
    const [e] = toHar([{ ...stored(), attempts: [newer, older] }], {
      baseUrl: (r) => `http://x/${r.channelId}`,
    }).log.entries;
    expect(e?.request.url).toBe('http://x/ch_a/stripe?a=1&b=x%20y&c');
    expect(e?.response).toMatchObject({
      status: 201,
      statusText: 'Created',
      content: { size: 2, mimeType: 'text/plain', text: 'ok' },
    });
    expect(e?.response.cookies).toEqual([{ name: 'k', value: 'v', path: '/', httpOnly: true }]);
    expect(e?.time).toBe(30);
    expect((e?.timings.send ?? 0) + (e?.timings.wait ?? 0) + (e?.timings.receive ?? 0)).toBe(30);
  });

  it('writes binary bodies as base64 and marks a failed or truncated response', () => {
    const failed = attempt({
      status: undefined,
      responseBody: undefined,
      error: { code: 'timeout', message: 'no answer' },
    });
    const cut = attempt({
      responseBody: new Uint8Array([0xff, 0xfe]),
      responseTruncated: true,
      startedAt: t0,
    });
    const log = toHar(
      [
        { ...stored({ body: new Uint8Array([0xff, 0x00]), headers: [] }), attempts: [failed] },
        { ...stored(), attempts: [cut] },
      ],
      { baseUrl: 'http://r' },
    );
    const [a, b] = log.log.entries;
    expect(a?.request.postData).toMatchObject({
      mimeType: 'application/octet-stream',
      text: '/wA=',
      _encoding: 'base64',
    });
    expect(a?.request.postData?.comment).toMatch(/base64/);
    expect(a?.response).toMatchObject({ status: 0, _error: 'timeout: no answer' });
    expect(b?.response.content).toMatchObject({
      text: '//4=',
      encoding: 'base64',
      comment: expect.stringMatching(/Truncated/),
    });
  });

  it('lists urlencoded form fields as params', () => {
    const form = stored({
      headers: [['Content-Type', 'application/x-www-form-urlencoded']],
      body: new Uint8Array(Buffer.from('a=1&b=x+y')),
    });
    const [e] = toHar([form], { baseUrl: 'http://r', version: '9.9.9' }).log.entries;
    expect(e?.request.postData?.params).toEqual([
      { name: 'a', value: '1' },
      { name: 'b', value: 'x y' },
    ]);
  });

  it('survives JSON round trip unchanged (plain data only)', () => {
    const log = toHar([{ ...stored(), attempts: [attempt()] }], { baseUrl: 'http://r' });
    expect(JSON.parse(JSON.stringify(log))).toEqual(log);
  });
});
