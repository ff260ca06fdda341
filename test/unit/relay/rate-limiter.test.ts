import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../relay/rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst, then refuses with the seconds until a token is back', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSec: 0.5, burst: 2 }, () => now);
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSec: 2 });
    now += 2000;
    expect(limiter.take('a')).toEqual({ ok: true });
  });

  it('never refuses and keeps no buckets when the rate is Infinity (no limit)', () => {
    const limiter = new RateLimiter({ ratePerSec: Infinity, burst: 0 }, () => 0);
    for (let i = 0; i < 1000; i++) expect(limiter.take('a').ok).toBe(true);
    expect(limiter.size).toBe(0);
  });

  it('keeps one bucket per key', () => {
    const limiter = new RateLimiter({ ratePerSec: 1, burst: 1 }, () => 0);
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('b').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
  });

  it('forgets buckets that have refilled, so memory follows active keys', () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSec: 10, burst: 5 }, () => now);
    limiter.take('a');
    limiter.take('b');
    now += 1000;
    limiter.take('c');
    limiter.sweep();
    expect(limiter.size).toBe(1);
  });
});
