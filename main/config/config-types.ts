// The shape of config.json: channels, forward rules, settings and workflows. Fields this version does not
// know are kept as they are (an index signature on every object a user may edit), so a newer Hookline or a
// hand edit never loses data by passing through an older one.
import type { ResponseMode } from '../../common/model';

/** The config.json format this build writes. */
export const CONFIG_VERSION = 1;

export interface ChannelConfig {
  id: string;
  /** Base URL of the relay that serves this channel, e.g. http://127.0.0.1:8787. */
  relayUrl: string;
  /** The subscriber token; a secret, which is why config.json is mode 0600. */
  token: string;
  /** The public URL webhooks are sent to. */
  url: string;
  name?: string;
  responseMode: ResponseMode;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** SecretConfig from main/verify, opaque here. */
  verification?: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface RetryPolicy {
  /** Tries in total, including the first. */
  attempts: number;
  /** Delay before the first retry, in ms; doubles each retry (with jitter) up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ForwardRule {
  id: string;
  /** The channel whose requests this rule forwards, or '*' for every channel. */
  channelId: string;
  /** Target URLs, e.g. http://localhost:3000/webhooks. */
  targets: string[];
  enabled: boolean;
  /** Per-attempt timeout, in ms; default settings.forwardTimeoutMs. */
  timeoutMs?: number;
  /** Retries are opt-in per rule; absent means one try. */
  retry?: RetryPolicy;
  /** Forwards in flight at once per target; default 1 (strictly in order). */
  concurrency?: number;
  [extra: string]: unknown;
}

export interface RetentionSettings {
  /** Requests kept at most (pinned ones stay regardless). */
  maxCount: number;
  /** Body bytes kept at most, in bytes. */
  maxBytes: number;
  /** Age after which requests are deleted, in ms. */
  maxAgeMs: number;
  [extra: string]: unknown;
}

export interface Settings {
  retention: RetentionSettings;
  /** Timeout of one forward attempt, in ms. */
  forwardTimeoutMs: number;
  /** Response bodies of attempts are kept up to this many bytes. */
  maxResponseBytes: number;
  /** The port the embedded relay last listened on, reused so channel URLs stay the same across launches. */
  embeddedRelayPort?: number;
  [extra: string]: unknown;
}

export interface HooklineConfig {
  version: number;
  /** This app's stable name at the relay ('sub_' + random), generated once. */
  subscriberId: string;
  channels: ChannelConfig[];
  forwardRules: ForwardRule[];
  settings: Settings;
  /** Workflow definitions (DESIGN.md "Workflow files"), opaque here. */
  workflows: unknown[];
  [extra: string]: unknown;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = {
  retention: { maxCount: 100_000, maxBytes: 1024 ** 3, maxAgeMs: 30 * 24 * 3600 * 1000 },
  forwardTimeoutMs: 30_000,
  maxResponseBytes: 1024 * 1024,
};
