import { describe, expect, it } from 'vitest';
import { asAttemptId, asChannelId, asRequestId } from '../../../common/ids';
import type { StoredRequest } from '../../../common/model';
import { decodeBody, encodeBody, toJsonExport } from '../../../main/export/json-export';

const req: StoredRequest = {
  id: asRequestId('req_1'),
  channelId: asChannelId('ch'),
  seq: 3,
  method: 'POST',
  path: '/p',
  query: 'x=1',
  headers: [
    ['A', '1'],
    ['a', '2'],
  ],
  body: new Uint8Array([0x7b, 0x7d]),
  receivedAt: 1_700_000_000_000,
  verification: { status: 'valid', provider: 'stripe' },
  note: 'hi',
};

describe('toJsonExport', () => {
  it('tags bodies as base64 and adds UTF-8 text only when valid', () => {
    expect(encodeBody(new Uint8Array(Buffer.from('héllo')))).toEqual({
      encoding: 'base64',
      data: Buffer.from('héllo').toString('base64'),
      size: 6,
      text: 'héllo',
    });
    const binary = encodeBody(new Uint8Array([0xff, 0x00, 0x0a]));
    expect(binary).toEqual({ encoding: 'base64', data: '/wAK', size: 3 });
    expect([...decodeBody(binary)]).toEqual([0xff, 0x00, 0x0a]);
  });

  it('keeps every stored field and attempt, with exact bytes after a JSON round trip', () => {
    const attempt = {
      id: asAttemptId('a1'),
      requestId: req.id,
      kind: 'forward' as const,
      url: 'http://t/p?x=1',
      method: 'POST',
      requestHeaders: req.headers,
      startedAt: 1,
      durationMs: 2,
      status: 200,
      responseBody: new Uint8Array([0xc3, 0x28]),
    };
    const out = JSON.parse(
      JSON.stringify(toJsonExport([{ ...req, attempts: [attempt] }, req], { now: () => 0 })),
    );
    expect(out).toMatchObject({
      format: 'hookline-export',
      version: 1,
      exportedAt: '1970-01-01T00:00:00.000Z',
    });
    const [first, second] = out.requests;
    expect(first).toMatchObject({
      id: 'req_1',
      seq: 3,
      headers: [
        ['A', '1'],
        ['a', '2'],
      ],
      note: 'hi',
      verification: { status: 'valid' },
    });
    expect([...decodeBody(first.body)]).toEqual([...req.body]);
    expect(first.body.text).toBe('{}');
    expect([...decodeBody(first.attempts[0].responseBody)]).toEqual([0xc3, 0x28]);
    expect(first.attempts[0].responseBody.text).toBeUndefined();
    expect(second.attempts).toEqual([]);
  });
});
