// The app's end of the relay protocol (common/protocol.ts): handshake, resume from the last stored seq,
// cumulative acks sent only after the caller's durable write, reconnect with backoff + jitter, and
// heartbeat watching so a half-open connection is noticed within two relay ping intervals.
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { AppError, type ErrorCode } from '../../common/errors';
import type { SubscriberId } from '../../common/ids';
import type { CapturedRequest, RawHeaders } from '../../common/model';
import {
  PROTOCOL_VERSION,
  encodeClientMessage,
  parseRelayMessage,
  type WelcomeMessage,
} from '../../common/protocol';
import { backoffDelay } from './backoff';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'stopped' | 'failed';

export interface RelayClientOptions {
  /** ws(s)://host/api/channels/<id>/stream */
  streamUrl: string;
  token: string;
  subscriberId: SubscriberId;
  /** The highest seq already stored durably for this channel; read at every (re)connect. */
  lastSeq: () => number;
  /**
   * Receives deliveries in seq order, batched per event-loop turn. The client acks the batch's
   * highest seq once the returned promise resolves, so resolve only after the durable write.
   */
  onDeliveries: (batch: CapturedRequest[]) => Promise<void> | void;
  /** First reconnect delay cap, ms (default 250). */
  backoffBaseMs?: number;
  /** Longest reconnect delay, ms (default 30 000). */
  backoffMaxMs?: number;
  /** Heartbeat silence after which the socket is presumed dead, ms (default: 2 × the relay's ping interval). */
  heartbeatTimeoutMs?: number;
  random?: () => number;
}

export interface RelayClientEvents {
  state: [state: ConnectionState, detail?: string];
  welcome: [welcome: WelcomeMessage];
  /** A problem that stops the client for good (wrong token, unknown channel, other protocol version). */
  fatal: [error: AppError];
}

/** Close codes after which reconnecting cannot help. */
const FATAL_CLOSE: Record<number, ErrorCode> = {
  4001: 'unauthorized',
  4004: 'channel_not_found',
  4005: 'unsupported_version',
};

export class RelayClient extends EventEmitter<RelayClientEvents> {
  state: ConnectionState = 'stopped';
  private ws: WebSocket | undefined;
  private attempt = 0;
  private stopped = true;
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private pending: CapturedRequest[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private lastError: string | undefined;
  private paused = false;
  private relayHeartbeatMs = 15_000;

  constructor(private readonly options: RelayClientOptions) {
    super();
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Closes the socket and stops reconnecting; resolves once deliveries in hand are handed over. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.heartbeatTimer);
    this.ws?.close(1000, 'client stopping');
    this.ws = undefined;
    await this.flushing;
    this.setState('stopped');
  }

  /**
   * Stops (or restarts) reading deliveries, e.g. while the forward backlog is long: TCP backpressure then
   * makes the relay keep the rest in its store instead of this process's memory. The heartbeat is not
   * watched while paused, since the relay's pings wait in the same socket.
   */
  setPaused(paused: boolean): void {
    if (paused === this.paused) return;
    this.paused = paused;
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (paused) {
      ws.pause();
      clearTimeout(this.heartbeatTimer);
    } else {
      ws.resume();
      this.watchHeartbeat(this.relayHeartbeatMs * 2);
    }
  }

  /** Sends the app's answer for a request the relay holds (wait mode, handshakes). */
  sendResponse(
    requestId: CapturedRequest['id'],
    status: number,
    headers: RawHeaders,
    body: Uint8Array,
  ): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(encodeClientMessage({ type: 'response', requestId, status, headers, body }));
    return true;
  }

  private connect(): void {
    this.setState(this.attempt === 0 ? 'connecting' : 'reconnecting', this.lastError);
    const ws = new WebSocket(this.options.streamUrl, {
      headers: { authorization: `Bearer ${this.options.token}` },
      perMessageDeflate: false,
      maxPayload: 64 * 1024 * 1024 + 1024 * 1024,
      handshakeTimeout: 10_000,
    });
    this.ws = ws;
    ws.binaryType = 'nodebuffer';

    ws.on('open', () => {
      ws.send(
        encodeClientMessage({
          type: 'hello',
          protocolVersion: PROTOCOL_VERSION,
          subscriberId: this.options.subscriberId,
          lastSeq: this.options.lastSeq(),
        }),
      );
      this.watchHeartbeat(30_000);
    });
    ws.on('ping', () => {
      if (!this.paused) this.watchHeartbeat(this.relayHeartbeatMs * 2);
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(ws, data, isBinary));
    ws.on('unexpected-response', (_req, res) => {
      const code = res.statusCode === 401 ? 4001 : res.statusCode === 404 ? 4004 : 0;
      this.lastError = `relay answered the upgrade with HTTP ${res.statusCode}`;
      res.resume();
      if (code) this.fail(code, this.lastError);
      else ws.terminate();
    });
    ws.on('error', (e: Error) => {
      this.lastError = e.message;
    });
    ws.on('close', (code: number, reason: Buffer) => {
      clearTimeout(this.heartbeatTimer);
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (reason.length) this.lastError = `${reason.toString()} (close ${code})`;
      if (FATAL_CLOSE[code]) return this.fail(code, this.lastError ?? `closed with ${code}`);
      this.scheduleReconnect();
    });
  }

  private onMessage(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    let msg;
    try {
      msg = parseRelayMessage(data, isBinary);
    } catch (e: unknown) {
      const err = e instanceof AppError ? e : new AppError('bad_message', String(e));
      ws.close(err.closeCode, err.message.slice(0, 120));
      return;
    }
    switch (msg.type) {
      case 'welcome':
        if (msg.protocolVersion !== PROTOCOL_VERSION) {
          return this.fail(
            4005,
            `relay speaks protocol ${msg.protocolVersion}, this app ${PROTOCOL_VERSION}`,
          );
        }
        this.attempt = 0;
        this.lastError = undefined;
        this.relayHeartbeatMs = msg.heartbeatMs;
        if (this.paused) ws.pause();
        else this.watchHeartbeat(msg.heartbeatMs * 2);
        this.emit('welcome', msg);
        this.setState('connected');
        return;
      case 'delivery':
        this.pending.push(msg.request);
        this.scheduleFlush(ws);
        return;
      case 'error':
        this.lastError = msg.message;
        if (msg.code === 'unsupported_version') this.fail(4005, msg.message);
        return;
      default: {
        const never: never = msg;
        return never;
      }
    }
  }

  /** Hands deliveries over once per event-loop turn, in order, then acks the highest seq. */
  private scheduleFlush(ws: WebSocket): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const batch = this.pending;
      this.pending = [];
      if (batch.length === 0) return;
      this.flushing = this.flushing.then(async () => {
        try {
          await this.options.onDeliveries(batch);
        } catch (e: unknown) {
          // Not stored, so not acked: drop the socket and let the relay resend from the stored seq.
          this.lastError = `could not store deliveries: ${e instanceof Error ? e.message : String(e)}`;
          ws.terminate();
          return;
        }
        if (ws.readyState === WebSocket.OPEN) {
          ws.send(encodeClientMessage({ type: 'ack', seq: batch[batch.length - 1]!.seq }));
        }
      });
    });
  }

  private watchHeartbeat(relayTimeoutMs = 30_000): void {
    clearTimeout(this.heartbeatTimer);
    const ws = this.ws;
    const timeoutMs = this.options.heartbeatTimeoutMs ?? relayTimeoutMs;
    this.heartbeatTimer = setTimeout(() => {
      this.lastError = `no heartbeat from the relay for ${timeoutMs} ms`;
      ws?.terminate();
    }, timeoutMs);
    this.heartbeatTimer.unref();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = backoffDelay(
      this.attempt++,
      this.options.backoffBaseMs ?? 250,
      this.options.backoffMaxMs ?? 30_000,
      this.options.random,
    );
    this.setState('reconnecting', this.lastError);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  private fail(closeCode: number, message: string): void {
    const code = FATAL_CLOSE[closeCode] ?? 'internal';
    this.stopped = true;
    clearTimeout(this.heartbeatTimer);
    this.ws?.terminate();
    this.ws = undefined;
    this.setState('failed', message);
    this.emit('fatal', new AppError(code, fatalHint(code, message)));
  }

  private setState(state: ConnectionState, detail?: string): void {
    if (this.state === state && state !== 'reconnecting') return;
    this.state = state;
    this.emit('state', state, detail);
  }
}

function fatalHint(code: ErrorCode, message: string): string {
  switch (code) {
    case 'unauthorized':
      return `the relay refused this channel's token (${message}); create a new channel with 'hookline listen --new-channel'`;
    case 'channel_not_found':
      return `the relay does not know this channel (${message}); it may have been removed: run 'hookline listen --new-channel'`;
    case 'unsupported_version':
      return `${message}: update Hookline or the relay so both speak the same protocol`;
    default:
      return message;
  }
}
