/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"):
 * attempt n waits a random time in [0, min(maxMs, baseMs · 2ⁿ)], so many clients that lost the same
 * relay do not reconnect in lockstep.
 *
 * @param attempt 0 for the first retry
 * @param baseMs delay cap of the first retry, in ms
 * @param maxMs upper bound of any delay, in ms
 * @param random a source in [0, 1), injectable for tests
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}
