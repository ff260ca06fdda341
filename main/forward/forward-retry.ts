// Opt-in retries for a forward or workflow step: exponential backoff with full jitter
// (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/), every try kept as an attempt.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Attempt, RawHeaders } from '../../common/model';
import { headerValue } from '../../common/model';
import type { Forwarder, SendOptions } from './forwarder';
import type { OutboundRequest } from './outbound-request';

/** The retry shape used by forward rules and workflow steps (see DESIGN.md, "Workflow files"). */
export interface RetryPolicy {
  /** Tries in all, the first included; 1 means no retry. */
  attempts: number;
  /** Backoff cap for the first retry, in milliseconds; doubles for each later one. */
  baseDelayMs: number;
  /** Upper bound on any one wait, in milliseconds. */
  maxDelayMs: number;
}

export interface RetryOptions extends SendOptions {
  /** Called with each attempt as soon as it ends, before any wait (to store and show it live). */
  onAttempt?: (attempt: Attempt, tryNumber: number) => void | Promise<void>;
  /** Waits `ms` milliseconds; rejects or resolves early when `signal` aborts. Default a timer. */
  delay?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform random number in [0, 1). Default Math.random. */
  random?: () => number;
}

/** True when another try may help: a network error or timeout, 429, or any 5xx. */
export function isRetryable(attempt: Attempt): boolean {
  if (attempt.error) return attempt.error.code !== 'invalid_target' && attempt.error.code !== 'aborted';
  const status = attempt.status ?? 0;
  return status === 429 || status >= 500;
}

/**
 * The wait before retry number `retry` (1 for the first retry), in milliseconds: full jitter,
 * `random() × min(maxDelayMs, baseDelayMs × 2^(retry−1))`, but never less than a `Retry-After`
 * the target sent (seconds or an HTTP date), itself capped at maxDelayMs.
 */
export function backoffDelay(
  retry: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfter?: string,
  now: number = Date.now(),
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const jittered = Math.floor(random() * ceiling);
  const asked = retryAfterMs(retryAfter, now);
  return asked === undefined ? jittered : Math.max(jittered, Math.min(asked, policy.maxDelayMs));
}

/** `Retry-After` as milliseconds from `now`, or undefined when absent or unreadable (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Sends `req` until it gets a non-retryable outcome (2xx, 3xx, 4xx other than 429, a bad target),
 * the policy's tries run out, or `signal` aborts. Resolves with every attempt in order; the last
 * is the outcome. Never rejects for a target failure.
 */
export async function sendWithRetry(
  forwarder: Pick<Forwarder, 'send'>,
  req: OutboundRequest,
  target: string,
  policy: RetryPolicy,
  opts: RetryOptions,
): Promise<Attempt[]> {
  const { onAttempt, delay = defaultDelay, random = Math.random, ...sendOpts } = opts;
  const tries = Math.max(1, Math.floor(policy.attempts));
  const attempts: Attempt[] = [];
  for (let n = 1; n <= tries; n++) {
    const attempt = await forwarder.send(req, target, sendOpts);
    attempts.push(attempt);
    await onAttempt?.(attempt, n);
    if (n === tries || !isRetryable(attempt) || opts.signal?.aborted) break;
    const wait = backoffDelay(n, policy, random, retryAfterHeader(attempt.responseHeaders));
    try {
      await delay(wait, opts.signal);
    } catch (e: unknown) {
      if (opts.signal?.aborted) break;
      throw e;
    }
    if (opts.signal?.aborted) break;
  }
  return attempts;
}

function retryAfterHeader(headers: RawHeaders | undefined): string | undefined {
  return headers ? headerValue(headers, 'retry-after') : undefined;
}

async function defaultDelay(ms: number, signal?: AbortSignal): Promise<void> {
  await sleep(ms, undefined, signal ? { signal } : undefined);
}
