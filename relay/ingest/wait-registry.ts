// Senders held in `wait` mode, keyed by request id, until a subscriber of the same channel answers
// with a `response` message or the timeout passes. Registered before the request is committed, so
// an answer can never arrive before its sender is waiting.
import type { ChannelId, RequestId } from '../../common/ids';
import type { ResponseMessage } from '../../common/protocol';

export type WaitOutcome =
  { kind: 'response'; response: ResponseMessage } | { kind: 'timeout' } | { kind: 'shutdown' };

interface Waiter {
  channelId: ChannelId;
  timer: NodeJS.Timeout;
  settle(outcome: WaitOutcome): void;
}

export class WaitRegistry {
  private readonly waiters = new Map<RequestId, Waiter>();

  constructor(private readonly timeoutMs: number) {}

  /** Starts holding a sender (for `timeoutMs`, default the registry's); the promise settles exactly once. */
  hold(requestId: RequestId, channelId: ChannelId, timeoutMs = this.timeoutMs): Promise<WaitOutcome> {
    return new Promise((resolve) => {
      const settle = (outcome: WaitOutcome) => {
        clearTimeout(waiter.timer);
        this.waiters.delete(requestId);
        resolve(outcome);
      };
      const waiter: Waiter = {
        channelId,
        timer: setTimeout(() => settle({ kind: 'timeout' }), timeoutMs),
        settle,
      };
      this.waiters.set(requestId, waiter);
    });
  }

  /** Stops holding without an answer (the capture failed before it was stored). */
  cancel(requestId: RequestId): void {
    const waiter = this.waiters.get(requestId);
    if (waiter) {
      clearTimeout(waiter.timer);
      this.waiters.delete(requestId);
    }
  }

  /**
   * Hands a subscriber's answer to its sender. Returns false when nobody waits for it any more
   * (timed out, or answered by another subscriber) or it belongs to another channel: a subscriber
   * may only answer its own channel's requests.
   */
  answer(channelId: ChannelId, response: ResponseMessage): boolean {
    const waiter = this.waiters.get(response.requestId);
    if (!waiter || waiter.channelId !== channelId) return false;
    waiter.settle({ kind: 'response', response });
    return true;
  }

  /** Releases every held sender, e.g. on shutdown. */
  releaseAll(): void {
    for (const waiter of [...this.waiters.values()]) waiter.settle({ kind: 'shutdown' });
  }

  get size(): number {
    return this.waiters.size;
  }
}
