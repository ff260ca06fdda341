import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asChannelId } from '../../../common/ids';
import type { StoredRequest } from '../../../common/model';
import { parseFilter } from '../../../main/store/request-filter';
import { aRequest, anAttempt, tempStore, type TempStore } from './store-fixtures';

describe('parsing', () => {
  it('parses keys, alternatives, negation, quoted values and words into typed terms', () => {
    expect(parseFilter('method:post|put -provider:Stripe path:"/a b" "two words" word* -bad').terms).toEqual([
      { type: 'method', negate: false, values: ['POST', 'PUT'] },
      { type: 'provider', negate: true, values: ['stripe'] },
      { type: 'path', negate: false, prefixes: ['/a b'] },
      { type: 'text', negate: false, text: 'two words', prefix: false },
      { type: 'text', negate: false, text: 'word', prefix: true },
      { type: 'text', negate: true, text: 'bad', prefix: false },
    ]);
  });

  it('parses statuses, header name=value, booleans and times', () => {
    expect(
      parseFilter(
        'status:2xx|404|error|none header:X-Thing=a=b pinned:yes after:2024-01-01T00:00:00Z before:5',
      ).terms,
    ).toEqual([
      {
        type: 'status',
        negate: false,
        values: [
          { kind: 'class', hundreds: 2 },
          { kind: 'code', code: 404 },
          { kind: 'error' },
          { kind: 'none' },
        ],
      },
      { type: 'header', negate: false, name: 'x-thing', value: 'a=b' },
      { type: 'pinned', negate: false, value: true },
      { type: 'after', negate: false, at: Date.UTC(2024, 0, 1) },
      { type: 'before', negate: false, at: 5 },
    ]);
  });

  it('names an unknown key and lists the known ones', () => {
    expect(() => parseFilter('colour:red')).toThrow(
      expect.objectContaining({
        code: 'bad_request',
        message: expect.stringMatching(/unknown filter key 'colour' \(known: method, status/),
      }),
    );
  });

  it.each([
    ['status:7xx', /not a status/],
    ['verified:maybe', /not a verification status/],
    ['after:yesterday', /not a time/],
    ['pinned:perhaps', /true or false/],
    ['method:', /needs a value/],
    ['"open', /unclosed quote/],
  ])('rejects %s clearly', (expr, message) => {
    expect(() => parseFilter(expr)).toThrow(
      expect.objectContaining({ code: 'bad_request', message: expect.stringMatching(message) }),
    );
  });

  it('parses an empty expression as no terms', () => {
    expect(parseFilter('   ').terms).toEqual([]);
  });
});

describe('filtering stored requests', () => {
  let t: TempStore;
  const r: Record<string, StoredRequest> = {};
  const ids = (filter: string): string[] =>
    t.store
      .listRequests({ filter, limit: 100 })
      .items.map((s) => s.id)
      .sort();
  const named = (...names: string[]): string[] => names.map((n) => r[n]!.id).sort();

  beforeAll(() => {
    t = tempStore();
    r.stripe = aRequest({
      provider: 'stripe',
      eventType: 'payment_intent.succeeded',
      verification: { status: 'valid', provider: 'stripe' },
      headers: [
        ['Stripe-Signature', 't=1,v1=abc'],
        ['content-type', 'application/json'],
      ],
      path: '/webhooks/stripe',
      receivedAt: Date.UTC(2024, 0, 1),
      json: { type: 'payment_intent.succeeded', amount: 4200, description: 'blue widget' },
    });
    r.github = aRequest({
      provider: 'github',
      eventType: 'pull_request',
      verification: { status: 'invalid', reason: 'bad signature' },
      headers: [
        ['X-GitHub-Event', 'pull_request'],
        ['content-type', 'application/json'],
      ],
      path: '/webhooks/github',
      receivedAt: Date.UTC(2024, 0, 2),
      json: { action: 'closed', title: 'red widget' },
    });
    r.plain = aRequest({
      method: 'GET',
      path: '/health',
      headers: [],
      body: new Uint8Array(),
      verification: { status: 'unsigned' },
      receivedAt: Date.UTC(2024, 0, 3),
    });
    r.other = aRequest({
      channelId: asChannelId('ch9'),
      method: 'PUT',
      verification: { status: 'no-secret', reason: 'STRIPE_WEBHOOK_SECRET' },
      provider: 'stripe',
      eventType: 'charge.refunded',
      receivedAt: Date.UTC(2024, 0, 4),
      pinned: true,
      path: '/100%_real',
    });
    t.store.insertRequests(Object.values(r));
    t.store.insertAttempt(anAttempt(r.stripe.id, { status: 204 }));
    t.store.insertAttempt(anAttempt(r.github.id, { status: 404 }));
    const failed = anAttempt(r.plain.id, { error: { code: 'ECONNREFUSED', message: 'refused' } });
    delete failed.status;
    t.store.insertAttempt(failed);
  });
  afterAll(() => t.cleanup());

  it('method, with alternatives and negation', () => {
    expect(ids('method:get')).toEqual(named('plain'));
    expect(ids('method:GET|PUT')).toEqual(named('plain', 'other'));
    expect(ids('-method:POST')).toEqual(named('plain', 'other'));
  });

  it('status of the latest attempt: class, code, error, none', () => {
    expect(ids('status:2xx')).toEqual(named('stripe'));
    expect(ids('status:404')).toEqual(named('github'));
    expect(ids('status:4xx|5xx')).toEqual(named('github'));
    expect(ids('status:error')).toEqual(named('plain'));
    expect(ids('status:none')).toEqual(named('other'));
    expect(ids('-status:2xx')).toEqual(named('github', 'plain', 'other'));
  });

  it('provider, negated provider keeps requests with none', () => {
    expect(ids('provider:stripe')).toEqual(named('stripe', 'other'));
    expect(ids('-provider:stripe')).toEqual(named('github', 'plain'));
  });

  it('event type by prefix', () => {
    expect(ids('event:payment_intent.succeeded')).toEqual(named('stripe'));
    expect(ids('event:payment_intent')).toEqual(named('stripe'));
    expect(ids('event:charge.|pull')).toEqual(named('other', 'github'));
  });

  it('verification status, each value', () => {
    expect(ids('verified:valid')).toEqual(named('stripe'));
    expect(ids('verified:invalid')).toEqual(named('github'));
    expect(ids('verified:unsigned')).toEqual(named('plain'));
    expect(ids('verified:no-secret')).toEqual(named('other'));
  });

  it('path by prefix, with % and _ taken literally', () => {
    expect(ids('path:/webhooks')).toEqual(named('stripe', 'github'));
    expect(ids('path:/webhooks/s')).toEqual(named('stripe'));
    expect(ids('path:/100%_')).toEqual(named('other'));
    expect(ids('path:/1%')).toEqual([]);
  });

  it('channel', () => {
    expect(ids('channel:ch9')).toEqual(named('other'));
  });

  it('header by name, and by name=value', () => {
    expect(ids('header:x-github-event')).toEqual(named('github'));
    expect(ids('header:stripe-signature')).toEqual(named('stripe'));
    expect(ids('header:X-GitHub-Event=pull_request')).toEqual(named('github'));
    expect(ids('header:x-github-event=push')).toEqual([]);
    expect(ids('-header:content-type')).toEqual(named('plain'));
  });

  it('pinned', () => {
    expect(ids('pinned:true')).toEqual(named('other'));
    expect(ids('pinned:false')).toEqual(named('stripe', 'github', 'plain'));
  });

  it('before and after', () => {
    expect(ids('after:2024-01-03T00:00:00Z')).toEqual(named('plain', 'other'));
    expect(ids('before:2024-01-02T00:00:00Z')).toEqual(named('stripe'));
    expect(ids('after:2024-01-02 before:2024-01-03')).toEqual(named('github'));
  });

  it('words and phrases in bodies, negated words, combined with keys', () => {
    expect(ids('widget')).toEqual(named('stripe', 'github'));
    expect(ids('widget -blue')).toEqual(named('github'));
    expect(ids('"blue widget"')).toEqual(named('stripe'));
    expect(ids('widg*')).toEqual(named('stripe', 'github'));
    expect(ids('widget provider:github status:4xx')).toEqual(named('github'));
  });

  it('counts with a filter too', () => {
    expect(t.store.countRequests('provider:stripe')).toBe(2);
  });

  it('throws bad_request for a bad filter', () => {
    expect(() => t.store.listRequests({ filter: 'nope:1' })).toThrow(
      expect.objectContaining({ code: 'bad_request' }),
    );
  });
});
