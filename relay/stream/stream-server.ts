// `GET /api/channels/:id/stream`: the subscriber WebSocket. Authenticates (a bearer token on the
// upgrade, or `token` in hello), runs the version handshake, then hands the socket to a
// SubscriberSession. Every message is parsed once here; a bad one gets an `error` message and a
// close code from the catalogue with its reason, never a crash.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { AppError, closeReason, toAppError } from '../../common/errors';
import { CHANNEL_ID_PATTERN, asChannelId } from '../../common/ids';
import {
  PROTOCOL_VERSION,
  encodeRelayMessage,
  parseClientMessage,
  type ClientMessage,
  type HelloMessage,
} from '../../common/protocol';
import type { ChannelDirectory } from '../channel-directory';
import { bearerToken, tokenMatches } from '../channel-secrets';
import type { WaitRegistry } from '../ingest/wait-registry';
import type { ChannelRecord } from '../store/delivery-store';
import type { SessionDeps } from './subscriber-session';
import { SubscriberSession } from './subscriber-session';

const STREAM_PATH = /^\/api\/channels\/([^/?]+)\/stream(?:\?.*)?$/;

/** The channel id from the path, and the channel when a bearer token already proved access. */
interface Upgrade {
  id: string;
  channel?: ChannelRecord;
}

export interface StreamServerOptions extends SessionDeps {
  channels: ChannelDirectory;
  waits: WaitRegistry;
  /** Largest message a subscriber may send, in bytes. */
  maxMessageBytes: number;
  /** Time allowed for `hello`, in ms. */
  handshakeTimeoutMs: number;
  /** Announced in `welcome`, in ms. */
  heartbeatMs: number;
}

export class StreamServer {
  private readonly wss: WebSocketServer;
  /** Sockets still in their handshake, so shutdown can close them too. */
  private readonly handshaking = new Set<WebSocket>();

  constructor(private readonly options: StreamServerOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxMessageBytes,
      perMessageDeflate: false,
      clientTracking: true,
    });
  }

  /** The http server's `upgrade` handler. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    void this.authorizeUpgrade(req).then(
      (upgrade) => this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, upgrade)),
      (e: unknown) => rejectUpgrade(socket, toAppError(e)),
    );
  }

  /** Closes every socket with 1001 and stops the server; resolves when all are gone. */
  async close(): Promise<void> {
    for (const ws of this.handshaking) ws.close(1001, 'The relay is shutting down.');
    this.options.hub.endAll(1001, 'The relay is shutting down.');
    const clients = [...this.wss.clients];
    await Promise.all(
      clients.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve();
            const kill = setTimeout(() => ws.terminate(), 2000);
            ws.once('close', () => {
              clearTimeout(kill);
              resolve();
            });
          }),
      ),
    );
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** With a bearer token the channel is checked before upgrading, so a bad one gets plain HTTP 401/404. */
  private async authorizeUpgrade(req: IncomingMessage): Promise<Upgrade> {
    const m = STREAM_PATH.exec(req.url ?? '');
    if (!m) throw new AppError('not_found', 'No WebSocket endpoint here.');
    const id = m[1]!;
    const token = bearerToken(req.headers.authorization);
    if (token === undefined) return { id };
    return { id, channel: await this.authenticate(id, token) };
  }

  private async authenticate(id: string, token: string): Promise<ChannelRecord> {
    const channel = CHANNEL_ID_PATTERN.test(id)
      ? await this.options.channels.get(asChannelId(id))
      : undefined;
    if (!channel) throw new AppError('channel_not_found', `No channel '${id.slice(0, 64)}' on this relay.`);
    if (!tokenMatches(token, channel.tokenHash)) throw new AppError('unauthorized', 'Wrong channel token.');
    return channel;
  }

  private onConnection(ws: WebSocket, upgrade: Upgrade): void {
    this.handshaking.add(ws);
    const timer = setTimeout(
      () =>
        refuse(
          ws,
          new AppError('handshake_timeout', `No hello within ${this.options.handshakeTimeoutMs} ms.`),
        ),
      this.options.handshakeTimeoutMs,
    );
    let session: SubscriberSession | undefined;
    let helloSeen = false;
    ws.on('error', () => ws.terminate());
    ws.once('close', () => {
      clearTimeout(timer);
      this.handshaking.delete(ws);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      let msg: ClientMessage;
      try {
        msg = parseClientMessage(toBytes(data), isBinary);
      } catch (e: unknown) {
        return refuse(ws, toAppError(e));
      }
      if (msg.type === 'hello') {
        if (helloSeen) return refuse(ws, new AppError('bad_message', 'hello was already received'));
        helloSeen = true;
        clearTimeout(timer);
        void this.accept(ws, msg, upgrade).then(
          (s) => (session = s),
          (e: unknown) => refuse(ws, toAppError(e)),
        );
        return;
      }
      if (!session)
        return refuse(ws, new AppError('bad_message', `'${msg.type}' before the handshake finished`));
      switch (msg.type) {
        case 'ack':
          return session.ack(msg.seq);
        case 'response':
          this.options.waits.answer(session.channelId, msg);
          return;
        default: {
          const never: never = msg;
          return refuse(ws, new AppError('bad_message', `unexpected message ${String(never)}`));
        }
      }
    });
  }

  private async accept(
    ws: WebSocket,
    hello: HelloMessage,
    upgrade: Upgrade,
  ): Promise<SubscriberSession | undefined> {
    if (hello.protocolVersion !== PROTOCOL_VERSION) {
      throw new AppError(
        'unsupported_version',
        `This relay speaks protocol ${PROTOCOL_VERSION}, the subscriber ${hello.protocolVersion}.`,
      );
    }
    let channel = upgrade.channel;
    if (!channel) {
      if (hello.token === undefined)
        throw new AppError('unauthorized', 'No channel token (Bearer header or hello.token).');
      channel = await this.authenticate(upgrade.id, hello.token);
    }
    const { hub, store } = this.options;
    const head = hub.head(channel.id, channel.lastSeq);
    // The subscriber's word decides where to resume; a number past the head comes from another
    // life of this channel (a wiped relay), so only new deliveries follow.
    const resumeFrom = Math.min(hello.lastSeq, head);
    await store().saveCursors([
      { channelId: channel.id, subscriberId: hello.subscriberId, ackedSeq: resumeFrom },
    ]);
    if (ws.readyState !== ws.OPEN) return undefined;
    this.handshaking.delete(ws);
    const session = new SubscriberSession(ws, channel.id, hello.subscriberId, resumeFrom, this.options);
    ws.send(
      encodeRelayMessage({
        type: 'welcome',
        protocolVersion: PROTOCOL_VERSION,
        channelId: channel.id,
        subscriberId: hello.subscriberId,
        responseMode: channel.responseMode,
        resumeFrom,
        heartbeatMs: this.options.heartbeatMs,
      }),
    );
    session.start();
    return session;
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** Tells the subscriber why, then closes with the catalogue's code (4000 bad message, 4005 version…). */
function refuse(ws: WebSocket, error: AppError): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(encodeRelayMessage({ type: 'error', code: error.code, message: error.message }));
  ws.close(error.closeCode, closeReason(error.message));
}

function rejectUpgrade(socket: Duplex, error: AppError): void {
  const body = JSON.stringify(error.toJSON());
  socket.end(
    `HTTP/1.1 ${error.status} ${error.code}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
