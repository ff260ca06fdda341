// Everything a relay needs to know about its environment, with the defaults from DESIGN.md.
// The CLI parses human strings ('25mb', '72h'); here every value is already a number.
import type { RateLimit } from './rate-limiter';

export interface RelayLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface RelayOptions {
  /** Directory for the SQLite delivery buffer (created when missing). Required. */
  dataDir: string;
  /** Address to bind; default '127.0.0.1' (bind wider only when told). */
  host?: string;
  /** Base URL senders use, e.g. 'https://relay.example.com'; default the listening address. */
  publicUrl?: string;
  /** Largest accepted request body, in bytes; default 25 MiB. Larger → 413. */
  maxBody?: number;
  /** How long an unacked delivery is kept, in ms; default 72 h. Older ones are dropped and counted. */
  retention?: number;
  /** Bytes buffered per channel before the oldest deliveries are dropped; default 512 MiB. */
  maxChannelBytes?: number;
  /** When set, creating a channel needs `Authorization: Bearer <adminToken>`. */
  adminToken?: string;
  /** Captures per channel; default 200/s, burst 400. */
  channelRateLimit?: RateLimit;
  /** Captures per source IP across channels; default 1000/s, burst 2000. */
  ipRateLimit?: RateLimit;
  /** Channel creations per source IP when there is no admin token; default 20 per hour. */
  createRateLimit?: RateLimit;
  /** Interval of WebSocket ping frames, in ms; default 15 s. Two missed pongs end the socket. */
  heartbeatMs?: number;
  /** How long a `wait`-mode sender is held for the app's answer, in ms; default 10 s. Then 504. */
  waitTimeoutMs?: number;
  /** How long a new subscriber socket has to send `hello`, in ms; default 10 s. Then close 4008. */
  handshakeTimeoutMs?: number;
  /** Interval of the prune pass (acked, expired, over the byte cap), in ms; default 5 s. */
  pruneIntervalMs?: number;
  /** Largest WebSocket message accepted from a subscriber, in bytes; default 1 MiB + 64 KiB. */
  maxMessageBytes?: number;
  /** Headers + request line, in bytes (Node's maxHeaderSize); default 16 KiB. Larger → 431. */
  maxHeaderBytes?: number;
  /** Most header lines kept per request; default 200. */
  maxHeaderCount?: number;
  /** Time for a sender to finish its headers, in ms; default 10 s. */
  headersTimeoutMs?: number;
  /** Time for a sender to finish its whole request, in ms; default 120 s (a 25 MB body on a slow link). */
  requestTimeoutMs?: number;
  /** The clock, in ms since the epoch; default Date.now. */
  now?: () => number;
  logger?: RelayLogger;
}

export type ResolvedRelayOptions = Required<Omit<RelayOptions, 'publicUrl' | 'adminToken'>> &
  Pick<RelayOptions, 'publicUrl' | 'adminToken'>;

const MiB = 1024 * 1024;

export function resolveRelayOptions(o: RelayOptions): ResolvedRelayOptions {
  return {
    dataDir: o.dataDir,
    host: o.host ?? '127.0.0.1',
    publicUrl: o.publicUrl?.replace(/\/+$/, ''),
    maxBody: o.maxBody ?? 25 * MiB,
    retention: o.retention ?? 72 * 3_600_000,
    maxChannelBytes: o.maxChannelBytes ?? 512 * MiB,
    adminToken: o.adminToken,
    channelRateLimit: o.channelRateLimit ?? { ratePerSec: 200, burst: 400 },
    ipRateLimit: o.ipRateLimit ?? { ratePerSec: 1000, burst: 2000 },
    createRateLimit: o.createRateLimit ?? { ratePerSec: 20 / 3600, burst: 20 },
    heartbeatMs: o.heartbeatMs ?? 15_000,
    waitTimeoutMs: o.waitTimeoutMs ?? 10_000,
    handshakeTimeoutMs: o.handshakeTimeoutMs ?? 10_000,
    pruneIntervalMs: o.pruneIntervalMs ?? 5_000,
    // A subscriber sends small JSON control messages and wait-mode responses; 1 MiB of response
    // body plus room for the head is plenty, and caps what one socket can make us buffer.
    maxMessageBytes: o.maxMessageBytes ?? MiB + 64 * 1024,
    maxHeaderBytes: o.maxHeaderBytes ?? 16 * 1024,
    maxHeaderCount: o.maxHeaderCount ?? 200,
    headersTimeoutMs: o.headersTimeoutMs ?? 10_000,
    requestTimeoutMs: o.requestTimeoutMs ?? 120_000,
    now: o.now ?? Date.now,
    logger: o.logger ?? { info: () => {}, warn: () => {} },
  };
}
