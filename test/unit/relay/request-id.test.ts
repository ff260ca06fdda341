import { describe, expect, it } from 'vitest';
import { newRequestId } from '../../../relay/channel-secrets';

describe('request ids', () => {
  it('sort by capture time, so the stores that index them grow at one end', () => {
    const times = [
      1_700_000_000_000, 1_700_000_000_001, 1_700_000_000_999, 1_700_000_123_456, 2_000_000_000_000,
    ];
    const ids = times.map((t) => newRequestId(t));
    expect([...ids].sort()).toEqual(ids);
  });

  it('never repeat within one millisecond and carry 72 random bits', () => {
    const ids = Array.from({ length: 5000 }, () => newRequestId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 10)) expect(id).toMatch(/^rq_018bcfe56800[A-Za-z0-9_-]{12}$/);
  });
});
