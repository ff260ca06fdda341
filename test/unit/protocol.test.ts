import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/errors';
import { asChannelId, asRequestId, asSubscriberId } from '../../common/ids';
import {
  PROTOCOL_VERSION,
  encodeClientMessage,
  encodeRelayMessage,
  parseClientMessage,
  parseRelayMessage,
} from '../../common/protocol';

describe('protocol', () => {
  it('carries a delivery body as the exact bytes, including invalid UTF-8', () => {
    const body = new Uint8Array([0xff, 0xfe, 0x00, 0x7b, 0x20, 0x20, 0x31, 0x2e, 0x30]);
    const frame = encodeRelayMessage({
      type: 'delivery',
      seq: 7,
      request: {
        id: asRequestId('r1'),
        channelId: asChannelId('ch_1'),
        seq: 7,
        method: 'POST',
        path: '/a/b',
        query: 'x=1&x=2',
        headers: [
          ['X-Dup', 'a'],
          ['x-dup', 'b'],
        ],
        body,
        receivedAt: 1,
      },
    });
    expect(frame).toBeInstanceOf(Uint8Array);
    const msg = parseRelayMessage(frame, true);
    if (msg.type !== 'delivery') throw new Error('expected delivery');
    expect([...msg.request.body]).toEqual([...body]);
    expect(msg.request.headers).toEqual([
      ['X-Dup', 'a'],
      ['x-dup', 'b'],
    ]);
  });

  it('round-trips hello and ack as text frames', () => {
    const hello = {
      type: 'hello' as const,
      protocolVersion: PROTOCOL_VERSION,
      subscriberId: asSubscriberId('sub-1'),
      lastSeq: 3,
    };
    expect(parseClientMessage(encodeClientMessage(hello), false)).toEqual(hello);
    expect(parseClientMessage(encodeClientMessage({ type: 'ack', seq: 9 }), false)).toEqual({
      type: 'ack',
      seq: 9,
    });
  });

  it('round-trips a response with a binary body', () => {
    const msg = {
      type: 'response' as const,
      requestId: asRequestId('r'),
      status: 201,
      headers: [['a', 'b']] as [string, string][],
      body: new Uint8Array([1, 2, 3]),
    };
    const parsed = parseClientMessage(encodeClientMessage(msg), true);
    expect(parsed).toMatchObject({ type: 'response', status: 201, headers: [['a', 'b']] });
  });

  it.each([
    ['not json', 'not valid JSON'],
    ['[1]', 'must be a JSON object'],
    ['{"type":"nope"}', "unknown message type 'nope'"],
    ['{"type":"ack","seq":-1}', "'seq' must be a non-negative integer"],
    [
      '{"type":"hello","protocolVersion":1,"subscriberId":"../x","lastSeq":0}',
      "'subscriberId' has an invalid format",
    ],
  ])('rejects %s with a clear reason', (input, reason) => {
    const fn = () => parseClientMessage(input, false);
    expect(fn).toThrow(AppError);
    expect(fn).toThrow(reason);
  });

  it('rejects a binary frame whose head length lies', () => {
    const frame = new Uint8Array([0, 0, 1, 0, 0x7b]);
    expect(() => parseClientMessage(frame, true)).toThrow('head length exceeds');
  });
});
