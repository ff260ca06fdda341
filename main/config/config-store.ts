// config.json in the data dir (lowdb): channels, forward rules, settings, workflows. Every change goes
// through `update`, which edits a copy, writes it atomically and only then makes it current, so a failed
// write or a throwing edit leaves both the file and the in-memory config as they were.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { AppError } from '../../common/errors';
import {
  CONFIG_VERSION,
  DEFAULT_SETTINGS,
  type ChannelConfig,
  type ForwardRule,
  type HooklineConfig,
} from './config-types';
import {
  READER_FRESHNESS_MS,
  createEditQueue,
  PrivateJsonFile,
  ensurePrivateDir,
  isJsonObject,
} from './private-json-file';

export type * from './config-types';

/** The editable fields of a forward rule (Omit would lose them to ForwardRule's index signature). */
export type ForwardRuleFields = Pick<
  ForwardRule,
  'channelId' | 'targets' | 'enabled' | 'timeoutMs' | 'retry'
>;

export interface ConfigStore {
  /** The config file's path. */
  readonly file: string;
  /** The current config. Do not mutate it: use `update`. */
  get(): Readonly<HooklineConfig>;
  /**
   * Applies `fn` to a copy of the latest config (re-read when another process changed the file) and writes
   * it atomically; resolves once written. `fn` may return false to write nothing.
   */
  update(fn: (config: HooklineConfig) => void | boolean): Promise<void>;
  getChannel(id: string): ChannelConfig | undefined;
  /** Adds the channel, or replaces the one with the same id. */
  upsertChannel(channel: ChannelConfig): Promise<void>;
  /** Returns false when no channel has this id. Forward rules naming it are removed too. */
  removeChannel(id: string): Promise<boolean>;
  /** The channel to reuse for this relay when none is named: the first one created for it. */
  defaultChannelFor(relayUrl: string): ChannelConfig | undefined;
  /** Enabled rules that apply to the channel (its own and '*'). */
  forwardRulesFor(channelId: string): ForwardRule[];
  /** Adds a rule; an id ('fwd_' + random) is generated when not given. */
  addForwardRule(rule: ForwardRuleFields & { id?: string }): Promise<ForwardRule>;
  /** Throws AppError('not_found') when no rule has this id. */
  updateForwardRule(id: string, patch: Partial<ForwardRuleFields>): Promise<ForwardRule>;
  /** Returns false when no rule has this id. */
  removeForwardRule(id: string): Promise<boolean>;
}

/**
 * Opens `<dataDir>/config.json`, creating the dir (0700) and the file (0600) when missing and filling in
 * defaults. Throws AppError('config_error') when the file is not JSON or not a config; it is left untouched.
 */
export async function openConfig(dataDir: string): Promise<ConfigStore> {
  await ensurePrivateDir(dataDir);
  const file = join(dataDir, 'config.json');
  const adapter = new PrivateJsonFile<HooklineConfig>(file);
  const loaded: unknown = await adapter.read();
  const db = new Low<HooklineConfig>(adapter, normalise(loaded ?? {}, file));
  // Written on first open, and when defaults were filled in, so the subscriber id is stable from now on.
  if (loaded === null || JSON.stringify(loaded) !== JSON.stringify(db.data)) await db.write();

  /**
   * Picks up edits made by another process (`hookline` in a second terminal, a text editor). Readers are
   * lenient, keeping the last good config while a hand edit is half-done; writers are strict, so an update
   * never overwrites a file it could not read.
   */
  const refresh = (strict: boolean): void => {
    try {
      const fresh = adapter.readIfChanged(strict ? 0 : READER_FRESHNESS_MS);
      if (fresh) db.data = normalise(fresh, file);
    } catch (e: unknown) {
      if (strict) throw e;
    }
  };

  const update = createEditQueue<HooklineConfig>({
    db,
    file,
    refresh: () => refresh(true),
    clone: structuredClone,
  });

  const sameRelay = (a: string, b: string): boolean => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

  return {
    file,
    get: () => {
      refresh(false);
      return db.data;
    },
    update,
    getChannel: (id) => {
      refresh(false);
      return db.data.channels.find((c) => c.id === id);
    },
    upsertChannel: (channel) =>
      update((c) => {
        const i = c.channels.findIndex((x) => x.id === channel.id);
        if (i >= 0) c.channels[i] = { ...c.channels[i], ...channel };
        else c.channels.push(channel);
      }),
    removeChannel: async (id) => {
      let found = false;
      await update((c) => {
        found = c.channels.some((x) => x.id === id);
        c.channels = c.channels.filter((x) => x.id !== id);
        c.forwardRules = c.forwardRules.filter((r) => r.channelId !== id);
        return found;
      });
      return found;
    },
    defaultChannelFor: (relayUrl) => {
      refresh(false);
      return db.data.channels
        .filter((c) => sameRelay(c.relayUrl, relayUrl))
        .sort((a, b) => a.createdAt - b.createdAt)[0];
    },
    forwardRulesFor: (channelId) => {
      refresh(false);
      return db.data.forwardRules.filter(
        (r) => r.enabled && (r.channelId === '*' || r.channelId === channelId),
      );
    },
    addForwardRule: async (rule) => {
      const added: ForwardRule = { ...rule, id: rule.id ?? `fwd_${randomBytes(9).toString('base64url')}` };
      await update((c) => void c.forwardRules.push(added));
      return added;
    },
    updateForwardRule: async (id, patch) => {
      let updated: ForwardRule | undefined;
      await update((c) => {
        const i = c.forwardRules.findIndex((r) => r.id === id);
        const rule = c.forwardRules[i];
        if (!rule) return false;
        c.forwardRules[i] = updated = { ...rule, ...patch, id } as ForwardRule;
      });
      if (!updated) throw ruleNotFound(id);
      return updated;
    },
    removeForwardRule: async (id) => {
      let found = false;
      await update((c) => {
        found = c.forwardRules.some((r) => r.id === id);
        c.forwardRules = c.forwardRules.filter((r) => r.id !== id);
        return found;
      });
      return found;
    },
  };
}

function defaultConfig(): HooklineConfig {
  return {
    version: CONFIG_VERSION,
    subscriberId: `sub_${randomBytes(12).toString('base64url')}`,
    channels: [],
    forwardRules: [],
    settings: structuredClone(DEFAULT_SETTINGS) as HooklineConfig['settings'],
    workflows: [],
  };
}

/** Fills in what is missing, keeps every field it does not know, rejects what cannot be a config. */
function normalise(data: unknown, file: string): HooklineConfig {
  if (!isJsonObject(data)) throw invalid(file, 'the top level must be a JSON object');
  const defaults = defaultConfig();
  for (const key of ['channels', 'forwardRules', 'workflows'] as const) {
    if (data[key] !== undefined && !Array.isArray(data[key])) throw invalid(file, `'${key}' must be a list`);
  }
  if (data.settings !== undefined && !isJsonObject(data.settings))
    throw invalid(file, "'settings' must be an object");
  if (
    data.subscriberId !== undefined &&
    (typeof data.subscriberId !== 'string' || !/^[A-Za-z0-9_.:-]{1,128}$/.test(data.subscriberId))
  ) {
    throw invalid(file, "'subscriberId' must be 1–128 letters, digits or _.:-");
  }
  const settings = isJsonObject(data.settings) ? data.settings : {};
  const retention = isJsonObject(settings.retention) ? settings.retention : {};
  return {
    ...defaults,
    ...data,
    settings: {
      ...defaults.settings,
      ...settings,
      retention: { ...defaults.settings.retention, ...retention },
    },
  } as HooklineConfig;
}

function invalid(file: string, what: string): AppError {
  return new AppError(
    'config_error',
    `${file} is not a Hookline config: ${what}; fix it or move it aside; nothing was changed`,
  );
}

function ruleNotFound(id: string): AppError {
  return new AppError('not_found', `no forward rule has id '${id}'`);
}
