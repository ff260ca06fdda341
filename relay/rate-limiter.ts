// Token buckets keyed by channel or source IP. Each key refills continuously at `ratePerSec` up
// to `burst`; a request takes one token or is refused with how long until one is available.

export interface RateLimit {
  /** Sustained rate, in requests per second. */
  ratePerSec: number;
  /** Bucket size: how many requests may arrive at once after a quiet spell. */
  burst: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in ms. */
  at: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterSec: number };

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {}

  /** Takes one token for `key`; when none is left, says how many whole seconds to wait (≥ 1). */
  take(key: string): TakeResult {
    if (this.limit.ratePerSec === Infinity) return { ok: true }; // no limit (a loopback relay)
    const now = this.now();
    const bucket = this.refill(key, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    const waitMs = ((1 - bucket.tokens) / this.limit.ratePerSec) * 1000;
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Forgets buckets that have refilled completely, so memory follows active keys only. */
  sweep(): void {
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      const tokens = bucket.tokens + ((now - bucket.at) / 1000) * this.limit.ratePerSec;
      if (tokens >= this.limit.burst) this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }

  private refill(key: string, now: number): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.limit.burst, at: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsedSec = Math.max(0, now - bucket.at) / 1000;
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + elapsedSec * this.limit.ratePerSec);
    bucket.at = now;
    return bucket;
  }
}
