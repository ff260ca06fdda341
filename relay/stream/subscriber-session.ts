// One subscriber socket after its handshake. It sends every delivery after `sentSeq` in order:
// straight from the commit while it keeps up, from the store when it fell behind (a slow socket,
// a reconnect). The store is the buffer: when the socket's send buffer is full the session stops
// taking live deliveries and later reads what it missed, so memory stays bounded per socket.
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { ERRORS, closeReason, toAppError } from '../../common/errors';
import type { ChannelId, SubscriberId } from '../../common/ids';
import type { CapturedRequest } from '../../common/model';
import type { RelayLogger } from '../relay-options';
import type { RelayMetrics } from '../metrics';
import type { DeliveryStore } from '../store/delivery-store';
import type { ChannelHub, HubSession } from './channel-hub';
import { sendDelivery } from './delivery-frame';

/** Stop sending live above this many bytes queued on the socket; catch up from the store. */
const HIGH_WATER = 4 * 1024 * 1024;
/** Resume once the queue is below this. */
const LOW_WATER = 1024 * 1024;
/** One store read while catching up: at most this many deliveries or body bytes. */
const READ_LIMIT = { count: 256, bytes: 4 * 1024 * 1024 };
/** Pings without a pong before the socket is considered dead. */
const MAX_MISSED_PONGS = 2;

export interface SessionDeps {
  store: () => DeliveryStore;
  hub: ChannelHub;
  metrics: RelayMetrics;
  logger: RelayLogger;
}

export class SubscriberSession implements HubSession {
  private sentSeq: number;
  private ackedSeq: number;
  private pumping = false;
  private closed = false;
  private missedPongs = 0;
  private drainWaiter: (() => void) | undefined;
  private corked = false;
  private readonly uncork = () => {
    this.corked = false;
    this.socket?.uncork();
  };
  private readonly onSent = () => {
    if (this.drainWaiter && this.ws.bufferedAmount < LOW_WATER) this.releaseDrain();
  };

  constructor(
    private readonly ws: WebSocket,
    readonly channelId: ChannelId,
    readonly subscriberId: SubscriberId,
    /** The seq the subscriber already holds: sending starts after it. */
    resumeFrom: number,
    private readonly deps: SessionDeps,
  ) {
    this.sentSeq = resumeFrom;
    this.ackedSeq = resumeFrom;
    ws.on('pong', () => (this.missedPongs = 0));
    ws.once('close', () => {
      this.closed = true;
      this.releaseDrain();
      deps.hub.remove(this);
    });
  }

  /** Joins the hub and sends what is buffered after resumeFrom. */
  start(): void {
    this.deps.hub.add(this);
    void this.pump();
  }

  offer(delivery: CapturedRequest): void {
    if (this.closed || delivery.seq <= this.sentSeq) return;
    if (!this.pumping && delivery.seq === this.sentSeq + 1 && this.ws.bufferedAmount < HIGH_WATER) {
      this.send(delivery);
      return;
    }
    void this.pump();
  }

  /** A cumulative ack; an ack past what was sent only counts up to what was sent. */
  ack(seq: number): void {
    this.deps.metrics.acks += 1;
    const upTo = Math.min(seq, this.sentSeq);
    if (upTo <= this.ackedSeq) return;
    this.ackedSeq = upTo;
    this.deps.hub.markAcked({ channelId: this.channelId, subscriberId: this.subscriberId, ackedSeq: upTo });
  }

  heartbeat(): void {
    if (this.closed) return;
    if (this.missedPongs >= MAX_MISSED_PONGS) {
      this.ws.terminate();
      return;
    }
    this.missedPongs += 1;
    this.ws.ping();
  }

  end(code: number, reason: string): void {
    if (!this.closed) this.ws.close(code, closeReason(reason));
  }

  private send(delivery: CapturedRequest): void {
    // A group commit offers many deliveries in one tick: cork the TCP socket so they leave in
    // one write instead of one syscall each.
    if (!this.corked && this.socket) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.sentSeq = delivery.seq;
    this.deps.metrics.deliveries += 1;
    sendDelivery(this.ws, delivery, this.onSent);
  }

  /** Sends from the store until this session has everything committed, pausing while the socket is full. */
  private async pump(): Promise<void> {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      while (!this.closed && this.sentSeq < this.deps.hub.head(this.channelId)) {
        if (this.ws.bufferedAmount >= HIGH_WATER) {
          await new Promise<void>((resolve) => (this.drainWaiter = resolve));
          continue;
        }
        const batch = await this.deps.store().readAfter(this.channelId, this.sentSeq, READ_LIMIT);
        if (this.closed) break;
        if (batch.length === 0) {
          // Everything after sentSeq was pruned (retention or byte cap): nothing left to send.
          this.sentSeq = this.deps.hub.head(this.channelId);
          break;
        }
        for (const delivery of batch) if (delivery.seq > this.sentSeq) this.send(delivery);
      }
    } catch (e: unknown) {
      const error = toAppError(e);
      this.deps.logger.warn(`relay: reading deliveries for ${this.channelId} failed: ${error.message}`);
      this.end(ERRORS.storage_error.close, 'The relay could not read its buffer; reconnect.');
    } finally {
      this.pumping = false;
    }
  }

  /** ws keeps its net.Socket private; it is only used to cork and uncork. */
  private get socket(): Socket | undefined {
    return (this.ws as unknown as { _socket?: Socket })._socket ?? undefined;
  }

  private releaseDrain(): void {
    const resolve = this.drainWaiter;
    this.drainWaiter = undefined;
    resolve?.();
  }
}
