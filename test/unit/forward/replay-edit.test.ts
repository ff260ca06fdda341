import { describe, expect, it } from 'vitest';
import { AppError } from '../../../common/errors';
import { asRequestId } from '../../../common/ids';
import type { OutboundRequest } from '../../../main/forward/outbound-request';
import { applyEdit, replayHeaders } from '../../../main/forward/replay-edit';

const original: OutboundRequest = {
  id: asRequestId('req_orig'),
  method: 'POST',
  path: '/stripe',
  query: 'a=1',
  headers: [
    ['Content-Type', 'application/json'],
    ['Stripe-Signature', 't=1,v1=x'],
    ['X-Dup', '1'],
    ['x-dup', '2'],
  ],
  body: new Uint8Array(Buffer.from('{"a":1}')),
};

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

describe('applyEdit', () => {
  it('leaves everything as captured for an empty edit, as a copy', () => {
    const out = applyEdit(original, {});
    expect(out).toEqual(original);
    expect(out.headers).not.toBe(original.headers);
  });

  it('changes method, path and query', () => {
    const out = applyEdit(original, { method: 'PUT', path: '/other/%20x', query: '?b=2&b=3' });
    expect(out).toMatchObject({ id: 'req_orig', method: 'PUT', path: '/other/%20x', query: 'b=2&b=3' });
  });

  it('encodes an object query', () => {
    expect(applyEdit(original, { query: { q: 'a b', n: ['1', '2'] } }).query).toBe('q=a+b&n=1&n=2');
  });

  it('replaces all headers with a pair list, keeping its order and case', () => {
    const headers = [
      ['B', '2'],
      ['a', '1'],
      ['B', '3'],
    ];
    expect(applyEdit(original, { headers }).headers).toEqual(headers);
  });

  it('patches headers with an object: set in place, append, set duplicates, remove with null', () => {
    const out = applyEdit(original, {
      headers: { 'stripe-signature': 't=2,v1=y', 'X-New': 'n', 'X-DUP': ['a', 'b'], 'Content-Type': null },
    });
    expect(out.headers).toEqual([
      ['stripe-signature', 't=2,v1=y'],
      ['X-DUP', 'a'],
      ['X-DUP', 'b'],
      ['X-New', 'n'],
    ]);
  });

  it('sets the body from text, base64 bytes or JSON', () => {
    expect(text(applyEdit(original, { body: 'héllo\n' }).body)).toBe(
      Buffer.from('héllo\n').toString('latin1'),
    );
    expect([...applyEdit(original, { bodyBase64: 'AP/+gA==' }).body]).toEqual([0x00, 0xff, 0xfe, 0x80]);
    expect(text(applyEdit(original, { bodyJson: { b: [1, 'x'] } }).body)).toBe('{"b":[1,"x"]}');
    expect(applyEdit(original, { bodyJson: null }).body.length).toBe(4);
  });

  it('adds a JSON Content-Type for bodyJson only when there is none', () => {
    const bare = { ...original, headers: [] };
    expect(applyEdit(bare, { bodyJson: 1 }).headers).toEqual([['Content-Type', 'application/json']]);
    expect(applyEdit(original, { bodyJson: 1 }).headers).toEqual(original.headers);
  });

  it.each([
    [[], /must be a JSON object/],
    [{ methd: 'PUT' }, /unknown field "methd"/],
    [{ method: 'P UT' }, /"method"/],
    [{ path: 'no-slash' }, /"path"/],
    [{ path: '/a?b=1' }, /use "query"/],
    [{ query: 1 }, /"query"/],
    [{ query: { a: 1 } }, /"query.a"/],
    [{ headers: [['X-A']] }, /"headers\[0\]" must be a \[name, value\] pair/],
    [{ headers: [['Bad Name', 'v']] }, /not a header name/],
    [{ headers: { 'X-A': 'line\r\nbreak' } }, /without line breaks/],
    [{ headers: { 'X-A': 5 } }, /X-A/],
    [{ body: 'a', bodyJson: {} }, /at most one/],
    [{ body: 5 }, /"body" must be a string/],
    [{ bodyBase64: 'not base64!' }, /"bodyBase64"/],
  ])('rejects %j clearly', (edit, message) => {
    expect(() => applyEdit(original, edit)).toThrow(message);
    try {
      applyEdit(original, edit);
    } catch (e: unknown) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('bad_request');
    }
  });
});

describe('replayHeaders', () => {
  it('names the original request in X-Hookline-Replay, once', () => {
    const once = replayHeaders(original);
    expect(once.headers.at(-1)).toEqual(['X-Hookline-Replay', 'req_orig']);
    const twice = replayHeaders({ ...once, id: asRequestId('req_2') });
    expect(twice.headers.filter(([n]) => n === 'X-Hookline-Replay')).toEqual([
      ['X-Hookline-Replay', 'req_2'],
    ]);
    expect(original.headers).toHaveLength(4);
  });
});
