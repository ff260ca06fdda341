// A minimal subscriber for tests and the benchmark: speaks the protocol with the relay directly,
// collects deliveries, acks them (cumulatively, once per burst) unless told not to.
import { once } from 'node:events';
import WebSocket from 'ws';
import type { CapturedRequest } from '../../common/model';
import {
  PROTOCOL_VERSION,
  encodeClientMessage,
  parseRelayMessage,
  type ErrorMessage,
  type ResponseMessage,
  type WelcomeMessage,
} from '../../common/protocol';
import { asSubscriberId } from '../../common/ids';

export interface SubscriberOptions {
  relayUrl: string;
  channelId: string;
  token: string;
  subscriberId?: string;
  lastSeq?: number;
  /** Where the token goes; default 'header'. */
  tokenIn?: 'header' | 'hello' | 'none';
  /** Ack deliveries automatically; default true. */
  autoAck?: boolean;
  /** Send hello at all; default true. */
  sendHello?: boolean;
  protocolVersion?: number;
  /** Called for each delivery as it arrives. */
  onDelivery?: (request: CapturedRequest) => void;
}

export interface TestSubscriber {
  ws: WebSocket;
  deliveries: CapturedRequest[];
  errors: ErrorMessage[];
  /** Resolves with welcome, or rejects when the socket closes first. */
  welcome: Promise<WelcomeMessage>;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves once at least n deliveries have arrived. */
  waitFor(n: number): Promise<CapturedRequest[]>;
  ack(seq: number): void;
  respond(message: Omit<ResponseMessage, 'type'>): void;
  close(): Promise<void>;
}

export function streamUrl(relayUrl: string, channelId: string): string {
  return `${relayUrl.replace(/^http/, 'ws')}/api/channels/${channelId}/stream`;
}

export function connectSubscriber(o: SubscriberOptions): TestSubscriber {
  const tokenIn = o.tokenIn ?? 'header';
  const headers: Record<string, string> = tokenIn === 'header' ? { authorization: `Bearer ${o.token}` } : {};
  const ws = new WebSocket(streamUrl(o.relayUrl, o.channelId), { headers, perMessageDeflate: false });
  const deliveries: CapturedRequest[] = [];
  const errors: ErrorMessage[] = [];
  const waiters: Array<{ n: number; resolve: (d: CapturedRequest[]) => void; reject: (e: Error) => void }> =
    [];
  let ackScheduled = false;
  /** Highest seq received: what the next cumulative ack names (callers may empty `deliveries`). */
  let lastSeq = 0;
  let closedInfo: { code: number; reason: string } | undefined;

  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      closedInfo = { code, reason: reason.toString() };
      for (const w of waiters.splice(0))
        w.reject(new Error(`socket closed ${code} ${reason.toString()} after ${deliveries.length}`));
      resolve(closedInfo);
    });
  });
  ws.on('error', () => {});
  const welcome = new Promise<WelcomeMessage>((resolve, reject) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const msg = parseRelayMessage(data, isBinary);
      switch (msg.type) {
        case 'welcome':
          return resolve(msg);
        case 'error':
          errors.push(msg);
          return;
        case 'delivery':
          deliveries.push(msg.request);
          lastSeq = Math.max(lastSeq, msg.request.seq);
          o.onDelivery?.(msg.request);
          if (o.autoAck !== false && !ackScheduled) {
            ackScheduled = true;
            setImmediate(() => {
              ackScheduled = false;
              if (ws.readyState === ws.OPEN) ws.send(encodeClientMessage({ type: 'ack', seq: lastSeq }));
            });
          }
          for (let i = waiters.length - 1; i >= 0; i--) {
            const w = waiters[i]!;
            if (deliveries.length >= w.n) {
              waiters.splice(i, 1);
              w.resolve(deliveries);
            }
          }
      }
    });
    void closed.then((c) => reject(new Error(`closed before welcome: ${c.code} ${c.reason}`)));
  });
  welcome.catch(() => {});
  if (o.sendHello !== false) {
    ws.once('open', () => {
      ws.send(
        JSON.stringify({
          type: 'hello',
          protocolVersion: o.protocolVersion ?? PROTOCOL_VERSION,
          subscriberId: asSubscriberId(o.subscriberId ?? 'test-subscriber'),
          lastSeq: o.lastSeq ?? 0,
          ...(tokenIn === 'hello' ? { token: o.token } : {}),
        }),
      );
    });
  }

  return {
    ws,
    deliveries,
    errors,
    welcome,
    closed,
    waitFor(n) {
      if (deliveries.length >= n) return Promise.resolve(deliveries);
      if (closedInfo)
        return Promise.reject(new Error(`socket closed ${closedInfo.code} after ${deliveries.length}`));
      return new Promise((resolve, reject) => waiters.push({ n, resolve, reject }));
    },
    ack(seq) {
      ws.send(encodeClientMessage({ type: 'ack', seq }));
    },
    respond(message) {
      ws.send(encodeClientMessage({ type: 'response', ...message }));
    },
    async close() {
      if (ws.readyState === ws.CLOSED) return;
      const done = once(ws, 'close');
      ws.close();
      await done;
    },
  };
}
