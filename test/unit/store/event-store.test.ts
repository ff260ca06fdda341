import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asChannelId, asRequestId } from '../../../common/ids';
import { aRequest, anAttempt, tempStore, type TempStore } from './store-fixtures';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

describe('storing requests', () => {
  it('reads back bodies byte for byte: invalid UTF-8, binary, 5 MB', () => {
    const invalidUtf8 = new Uint8Array([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]);
    const binary = new Uint8Array(randomBytes(4096));
    const big = new Uint8Array(randomBytes(5 * 1024 * 1024));
    const empty = new Uint8Array(0);
    const reqs = [invalidUtf8, binary, big, empty].map((body) =>
      aRequest({ body, headers: [['content-type', 'application/octet-stream']] }),
    );
    t.store.insertRequests(reqs);
    for (const r of reqs) {
      const back = t.store.getRequest(r.id);
      expect(back?.body.byteLength).toBe(r.body.byteLength);
      expect(Buffer.from(back!.body).equals(Buffer.from(r.body))).toBe(true);
    }
  });

  it('keeps every field, header order, case and duplicates', () => {
    const r = aRequest({
      method: 'PUT',
      path: '/a/%20b',
      query: 'x=1&x=2',
      headers: [
        ['X-Dup', 'one'],
        ['content-type', 'text/plain'],
        ['x-dup', 'two'],
      ],
      sourceIp: '203.0.113.9',
      provider: 'stripe',
      eventType: 'payment_intent.succeeded',
      eventId: 'evt_1',
      verification: { status: 'invalid', provider: 'stripe', reason: 'timestamp too old' },
      note: 'look at this',
    });
    t.store.insertRequests([r]);
    const back = t.store.getRequest(r.id);
    expect(back).toEqual({ ...r, body: new Uint8Array(r.body) });
  });

  it('returns only the ids that were new and never stores a redelivery twice', () => {
    const a = aRequest();
    const b = aRequest();
    expect(t.store.insertRequests([a, b])).toEqual([a.id, b.id]);
    const c = aRequest();
    expect(t.store.insertRequests([b, c, a])).toEqual([c.id]);
    expect(t.store.countRequests()).toBe(3);
  });

  it('raises each channel cursor to the highest seq of a batch, never lowers it', () => {
    expect(t.store.lastSeq('ch1')).toBe(0);
    t.store.insertRequests([
      aRequest({ seq: 3 }),
      aRequest({ seq: 5 }),
      aRequest({ seq: 4 }),
      aRequest({ channelId: asChannelId('ch2'), seq: 9 }),
    ]);
    expect(t.store.lastSeq('ch1')).toBe(5);
    expect(t.store.lastSeq('ch2')).toBe(9);
    t.store.insertRequests([aRequest({ seq: 2 })]);
    expect(t.store.lastSeq('ch1')).toBe(5);
  });

  it('returns undefined for an unknown id', () => {
    expect(t.store.getRequest('nope')).toBeUndefined();
  });
});

describe('listing', () => {
  it('pages newest first with a cursor, without gaps or repeats, even within one millisecond', () => {
    const reqs = Array.from({ length: 23 }, (_, i) => aRequest({ receivedAt: 1000 + Math.floor(i / 4) }));
    t.store.insertRequests(reqs);
    const seen: string[] = [];
    let before: string | undefined;
    let pages = 0;
    do {
      const page = t.store.listRequests({ limit: 5, ...(before ? { before } : {}) });
      seen.push(...page.items.map((s) => s.id));
      before = page.next;
      pages++;
    } while (before);
    expect(pages).toBe(5);
    expect(seen).toEqual([...reqs].reverse().map((r) => r.id));
  });

  it('lists one channel only when asked', () => {
    t.store.insertRequests([aRequest(), aRequest({ channelId: asChannelId('other') }), aRequest()]);
    const page = t.store.listRequests({ channelId: 'other' });
    expect(page.items.map((s) => s.channelId)).toEqual(['other']);
    expect(page.next).toBeUndefined();
  });

  it('summarises without the body but with its size and the latest attempt', () => {
    const r = aRequest({ json: { hello: 'world' } });
    t.store.insertRequests([r]);
    t.store.insertAttempt(anAttempt(r.id, { startedAt: 10, status: 500, durationMs: 7 }));
    t.store.insertAttempt(anAttempt(r.id, { startedAt: 20, status: 204, durationMs: 3 }));
    t.store.insertAttempt(anAttempt(r.id, { startedAt: 15, status: 502, durationMs: 9 }));
    const [s] = t.store.listRequests().items;
    expect(s).not.toHaveProperty('body');
    expect(s).toMatchObject({
      bodySize: r.body.byteLength,
      contentType: 'application/json',
      attemptCount: 3,
    });
    expect(s?.lastAttempt).toEqual({ at: 20, status: 204, durationMs: 3 });
  });

  it('rejects a cursor it did not make', () => {
    expect(() => t.store.listRequests({ before: 'garbage' })).toThrow(/not a page cursor/);
  });
});

describe('full-text search', () => {
  it('finds a word in a JSON body and a phrase', () => {
    const hit = aRequest({ json: { customer: { name: 'Zebediah Quux' }, note: 'refund requested' } });
    t.store.insertRequests([aRequest(), hit, aRequest()]);
    expect(t.store.searchBodies('zebediah', 10).map((s) => s.id)).toEqual([hit.id]);
    expect(t.store.listRequests({ filter: '"refund requested"' }).items.map((s) => s.id)).toEqual([hit.id]);
    expect(t.store.listRequests({ filter: '"requested refund"' }).items).toEqual([]);
  });

  it('finds a header name or value, and a path', () => {
    const hit = aRequest({ headers: [['X-GitHub-Event', 'pull_request']], path: '/hooks/github' });
    t.store.insertRequests([aRequest(), hit]);
    expect(t.store.listRequests({ filter: 'pull_request' }).items.map((s) => s.id)).toEqual([hit.id]);
    expect(t.store.listRequests({ filter: 'x-github-event' }).items.map((s) => s.id)).toEqual([hit.id]);
    expect(t.store.listRequests({ filter: 'github' }).items.map((s) => s.id)).toEqual([hit.id]);
  });

  it('does not index binary bodies but indexes valid UTF-8 of any type', () => {
    const binary = aRequest({
      headers: [['content-type', 'application/octet-stream']],
      body: new Uint8Array([0x66, 0x6f, 0x6f, 0xff, 0x20, 0x62, 0x61, 0x72]),
    });
    const text = aRequest({ headers: [], body: new TextEncoder().encode('plain words here') });
    t.store.insertRequests([binary, text]);
    expect(t.store.searchBodies('bar', 10)).toEqual([]);
    expect(t.store.searchBodies('words', 10).map((s) => s.id)).toEqual([text.id]);
  });

  it('pages a word found in over 10,000 requests (probed row by row) exactly like a rare one', () => {
    const reqs = Array.from({ length: 10_050 }, (_, i) =>
      aRequest({ receivedAt: 5_000_000 - i, json: i % 3 === 0 ? { w: 'common rare' } : { w: 'common' } }),
    );
    t.store.insertRequests([...reqs].reverse()); // insertion order opposite to time order
    const newestFirst = reqs;
    const first = t.store.listRequests({ filter: 'common', limit: 40 });
    expect(first.items.map((s) => s.id)).toEqual(newestFirst.slice(0, 40).map((r) => r.id));
    const second = t.store.listRequests({ filter: 'common', limit: 40, before: first.next! });
    expect(second.items.map((s) => s.id)).toEqual(newestFirst.slice(40, 80).map((r) => r.id));
    expect(t.store.searchBodies('common', 5).map((s) => s.id)).toEqual(
      newestFirst.slice(0, 5).map((r) => r.id),
    );
    const rare = reqs.filter((_, i) => i % 3 === 0);
    expect(t.store.listRequests({ filter: 'rare', limit: 5 }).items.map((s) => s.id)).toEqual(
      rare.slice(0, 5).map((r) => r.id),
    );
  });

  it('treats FTS5 syntax in the search text as plain words', () => {
    t.store.insertRequests([aRequest({ json: { q: 'NEAR AND "quoted" col:umn' } })]);
    for (const q of ['NEAR', 'AND', '"quoted', 'col:umn', '*', '(', 'body:x', '^a']) {
      expect(() => t.store.searchBodies(q, 10)).not.toThrow();
    }
    expect(t.store.searchBodies('"quoted', 10)).toHaveLength(1);
  });
});

describe('updating', () => {
  it('sets and clears fields the engine learns later', () => {
    const r = aRequest();
    t.store.insertRequests([r]);
    t.store.updateRequest(r.id, {
      provider: 'github',
      eventType: 'push',
      eventId: 'd1',
      verification: { status: 'valid', provider: 'github' },
      pinned: true,
      note: 'keep',
    });
    expect(t.store.getRequest(r.id)).toMatchObject({
      provider: 'github',
      eventType: 'push',
      eventId: 'd1',
      verification: { status: 'valid', provider: 'github' },
      pinned: true,
      note: 'keep',
    });
    t.store.updateRequest(r.id, { note: null, pinned: false, verification: null });
    const back = t.store.getRequest(r.id)!;
    expect(back.note).toBeUndefined();
    expect(back.pinned).toBeUndefined();
    expect(back.verification).toBeUndefined();
    expect(back.provider).toBe('github');
  });

  it('throws request_not_found for an unknown id', () => {
    expect(() => t.store.updateRequest('nope', { pinned: true })).toThrow(
      expect.objectContaining({ code: 'request_not_found' }),
    );
  });
});

describe('attempts', () => {
  it('round-trip with an error, and with a binary, truncated response', () => {
    const r = aRequest();
    t.store.insertRequests([r]);
    const failed = anAttempt(r.id, {
      startedAt: 1,
      status: undefined,
      durationMs: 30000.5,
      error: { code: 'timeout', message: 'no response in 30000 ms' },
    });
    delete failed.status;
    const ok = anAttempt(r.id, {
      startedAt: 2,
      kind: 'replay',
      status: 200,
      responseHeaders: [
        ['Content-Type', 'image/png'],
        ['Set-Cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
      ],
      responseBody: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]),
      responseTruncated: true,
    });
    t.store.insertAttempt(ok);
    t.store.insertAttempt(failed);
    expect(t.store.listAttempts(r.id)).toEqual([failed, ok]);
    expect(t.store.latestAttempts([r.id, 'none']).get(asRequestId(r.id))).toEqual(ok);
  });

  it('refuses an attempt for a request that is not stored', () => {
    expect(() => t.store.insertAttempt(anAttempt('ghost'))).toThrow(
      expect.objectContaining({ code: 'request_not_found' }),
    );
  });
});
