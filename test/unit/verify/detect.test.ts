import { describe, expect, it } from 'vitest';
import type { RawHeaders } from '../../../common/model';
import { detectProvider } from '../../../main/verify';

const enc = (s: string) => new TextEncoder().encode(s);
const mailgunBody = JSON.stringify({
  signature: { timestamp: '1700000000', token: 't'.repeat(50), signature: 'a'.repeat(64) },
  'event-data': { event: 'delivered' },
});

describe('provider detection', () => {
  it('names the provider from the headers, and the same for a copy of the request', () => {
    const headers: RawHeaders = [['Stripe-Signature', 't=1,v1=ab']];
    const req = { method: 'POST', path: '', query: '', headers, body: enc('{}') };
    expect(detectProvider(req)).toBe('stripe');
    expect(detectProvider({ ...req, url: 'http://x/h/c' })).toBe('stripe');
  });

  it('looks again when the same headers come with another body or more pairs', () => {
    const headers: RawHeaders = [['Content-Type', 'application/json']];
    const plain = { method: 'POST', path: '', query: '', headers, body: enc('{"a":1}') };
    expect(detectProvider(plain)).toBeUndefined();
    expect(detectProvider({ ...plain, body: enc(mailgunBody) })).toBe('mailgun');
    headers.push(['X-GitHub-Event', 'push'], ['X-Hub-Signature-256', 'sha256=00']);
    expect(detectProvider(plain)).toBe('github');
  });
});
