// Who listens to which channel, and the newest committed seq of each. Fresh deliveries are
// offered to every connected session of their channel; acks are gathered here and written to the
// store in batches instead of one write per ack.
import type { ChannelId } from '../../common/ids';
import type { CapturedRequest } from '../../common/model';
import type { CursorUpdate, DeliveryStore } from '../store/delivery-store';

export interface HubSession {
  readonly channelId: ChannelId;
  /** A committed delivery for this session's channel, in seq order. */
  offer(delivery: CapturedRequest): void;
  /** Called every heartbeat interval. */
  heartbeat(): void;
  /** Closes the socket with a code and reason, e.g. 1001 on shutdown. */
  end(code: number, reason: string): void;
}

export class ChannelHub {
  private readonly sessions = new Map<string, Set<HubSession>>();
  private readonly heads = new Map<string, number>();
  private pendingCursors = new Map<string, CursorUpdate>();
  private subscriberTotal = 0;

  constructor(private readonly store: () => DeliveryStore) {}

  /** The newest committed seq of a channel; `known` seeds it from the channel record. */
  head(channelId: ChannelId, known = 0): number {
    const head = this.heads.get(channelId);
    if (head !== undefined) return head;
    this.heads.set(channelId, known);
    return known;
  }

  add(session: HubSession): void {
    let set = this.sessions.get(session.channelId);
    if (!set) this.sessions.set(session.channelId, (set = new Set()));
    set.add(session);
    this.subscriberTotal += 1;
  }

  remove(session: HubSession): void {
    const set = this.sessions.get(session.channelId);
    if (set?.delete(session)) {
      this.subscriberTotal -= 1;
      if (set.size === 0) this.sessions.delete(session.channelId);
    }
  }

  subscriberCount(channelId: string): number {
    return this.sessions.get(channelId)?.size ?? 0;
  }

  get totalSubscribers(): number {
    return this.subscriberTotal;
  }

  /** A durable batch, in seq order: move the heads, then offer each delivery to its listeners. */
  publish(batch: readonly CapturedRequest[]): void {
    for (const delivery of batch) {
      this.heads.set(delivery.channelId, delivery.seq);
      const set = this.sessions.get(delivery.channelId);
      if (set) for (const session of set) session.offer(delivery);
    }
  }

  /** Remembers a cursor to write with the next flush; a newer one replaces an older one. */
  markAcked(update: CursorUpdate): void {
    this.pendingCursors.set(`${update.channelId}\n${update.subscriberId}`, update);
  }

  async flushCursors(): Promise<void> {
    if (this.pendingCursors.size === 0) return;
    const updates = [...this.pendingCursors.values()];
    this.pendingCursors = new Map();
    await this.store().saveCursors(updates);
  }

  heartbeat(): void {
    for (const set of this.sessions.values()) for (const session of set) session.heartbeat();
  }

  endAll(code: number, reason: string): void {
    for (const set of [...this.sessions.values()]) for (const session of [...set]) session.end(code, reason);
  }
}
