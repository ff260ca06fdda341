import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openConfig, type ChannelConfig } from '../../../main/config/config-store';

let root: string;
let dataDir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hookline-config-'));
  dataDir = join(root, 'data');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const mode = (path: string): number => statSync(path).mode & 0o777;
const channel = (over: Partial<ChannelConfig> = {}): ChannelConfig => ({
  id: 'ch1',
  relayUrl: 'http://127.0.0.1:8787',
  token: 'tok_secret',
  url: 'http://127.0.0.1:8787/h/ch1',
  responseMode: 'ack',
  createdAt: 1000,
  ...over,
});

describe('config.json', () => {
  it('creates the data dir 0700 and the file 0600 with defaults', async () => {
    const config = await openConfig(dataDir);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(config.file)).toBe(0o600);
    const onDisk = JSON.parse(readFileSync(config.file, 'utf8'));
    expect(onDisk).toMatchObject({
      version: 1,
      channels: [],
      forwardRules: [],
      workflows: [],
      settings: {
        forwardTimeoutMs: 30000,
        maxResponseBytes: 1048576,
        retention: { maxCount: expect.any(Number) },
      },
    });
    expect(onDisk.subscriberId).toMatch(/^sub_[A-Za-z0-9_-]{8,}$/);
  });

  it('keeps the subscriber id across reopens', async () => {
    const first = (await openConfig(dataDir)).get().subscriberId;
    expect((await openConfig(dataDir)).get().subscriberId).toBe(first);
  });

  it('writes human-readable JSON atomically, leaving no temp file and keeping mode 0600', async () => {
    const config = await openConfig(dataDir);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => config.upsertChannel(channel({ id: `ch${i}`, createdAt: i }))),
    );
    const text = readFileSync(config.file, 'utf8');
    expect(text).toContain('\n  "channels": [');
    expect(JSON.parse(text).channels).toHaveLength(20);
    expect(readdirSync(dataDir)).toEqual(['config.json']);
    expect(mode(config.file)).toBe(0o600);
  });

  it('reports a file that is not JSON with its line, and leaves it untouched', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dataDir);
    const broken = '{\n  "version": 1,\n  "channels": [,\n}\n';
    writeFileSync(join(dataDir, 'config.json'), broken);
    await expect(openConfig(dataDir)).rejects.toMatchObject({
      code: 'config_error',
      message: expect.stringMatching(
        /config\.json is not valid JSON \(line 3\): fix it or move it aside; nothing was changed/,
      ),
    });
    expect(readFileSync(join(dataDir, 'config.json'), 'utf8')).toBe(broken);
  });

  it('rejects JSON that is not a config, leaving it untouched', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'config.json'), '{"channels": {}}');
    await expect(openConfig(dataDir)).rejects.toMatchObject({
      code: 'config_error',
      message: expect.stringMatching(/'channels' must be a list/),
    });
    expect(readFileSync(join(dataDir, 'config.json'), 'utf8')).toBe('{"channels": {}}');
  });

  it('keeps fields it does not know, at every level', async () => {
    const config = await openConfig(dataDir);
    await config.update((c) => {
      c.futureFeature = { on: true };
      c.settings.theme = 'dark';
    });
    await config.upsertChannel({ ...channel(), colour: 'teal' });
    const again = await openConfig(dataDir);
    await again.upsertChannel(channel({ name: 'renamed' }));
    const onDisk = JSON.parse(readFileSync(config.file, 'utf8'));
    expect(onDisk.futureFeature).toEqual({ on: true });
    expect(onDisk.settings.theme).toBe('dark');
    expect(onDisk.channels[0]).toMatchObject({ colour: 'teal', name: 'renamed' });
  });

  it('leaves config and file unchanged when an update throws', async () => {
    const config = await openConfig(dataDir);
    const before = readFileSync(config.file, 'utf8');
    await expect(
      config.update((c) => {
        c.channels.push(channel());
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(config.get().channels).toEqual([]);
    expect(readFileSync(config.file, 'utf8')).toBe(before);
    await config.upsertChannel(channel());
    expect(config.get().channels).toHaveLength(1);
  });
});

describe('another process editing the file', () => {
  it('is seen by a running app, and updates build on its edit instead of overwriting it', async () => {
    const app = await openConfig(dataDir);
    const cli = await openConfig(dataDir);
    await cli.addForwardRule({ channelId: '*', targets: ['http://localhost:3000'], enabled: true });
    expect(app.forwardRulesFor('ch1')).toHaveLength(1);
    await app.upsertChannel(channel());
    const onDisk = JSON.parse(readFileSync(app.file, 'utf8'));
    expect(onDisk.forwardRules).toHaveLength(1);
    expect(onDisk.channels).toHaveLength(1);
  });

  it('keeps the last good config while a hand edit is broken, and refuses to write over it', async () => {
    const app = await openConfig(dataDir);
    await app.upsertChannel(channel());
    const halfEdited = readFileSync(app.file, 'utf8').replace('"channels": [', '"channels": [,');
    writeFileSync(app.file, halfEdited);
    expect(app.get().channels).toHaveLength(1);
    await expect(app.upsertChannel(channel({ id: 'ch2' }))).rejects.toMatchObject({ code: 'config_error' });
    expect(readFileSync(app.file, 'utf8')).toBe(halfEdited);
  });
});

describe('channels and forward rules', () => {
  it('finds the first channel created for a relay, ignoring a trailing slash', async () => {
    const config = await openConfig(dataDir);
    await config.upsertChannel(channel({ id: 'later', createdAt: 2000 }));
    await config.upsertChannel(channel({ id: 'first', createdAt: 1000 }));
    await config.upsertChannel(channel({ id: 'elsewhere', relayUrl: 'https://relay.example', createdAt: 1 }));
    expect(config.defaultChannelFor('http://127.0.0.1:8787/')?.id).toBe('first');
    expect(config.defaultChannelFor('http://nowhere')).toBeUndefined();
    expect(config.getChannel('later')?.createdAt).toBe(2000);
  });

  it('adds, updates, lists and removes forward rules', async () => {
    const config = await openConfig(dataDir);
    const own = await config.addForwardRule({
      channelId: 'ch1',
      targets: ['http://localhost:3000'],
      enabled: true,
    });
    const all = await config.addForwardRule({
      channelId: '*',
      targets: ['http://localhost:4000/hooks'],
      enabled: true,
      retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
    });
    await config.addForwardRule({ channelId: 'ch2', targets: ['http://localhost:5000'], enabled: true });
    expect(own.id).toMatch(/^fwd_/);
    expect(config.forwardRulesFor('ch1').map((r) => r.id)).toEqual([own.id, all.id]);
    const disabled = await config.updateForwardRule(own.id, { enabled: false });
    expect(disabled).toMatchObject({ id: own.id, enabled: false, targets: ['http://localhost:3000'] });
    expect(config.forwardRulesFor('ch1').map((r) => r.id)).toEqual([all.id]);
    expect(await config.removeForwardRule(all.id)).toBe(true);
    expect(await config.removeForwardRule(all.id)).toBe(false);
    await expect(config.updateForwardRule('nope', { enabled: true })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect((await openConfig(dataDir)).get().forwardRules.map((r) => r.id)).toEqual([
      own.id,
      expect.any(String),
    ]);
  });

  it('removes a channel with its own forward rules', async () => {
    const config = await openConfig(dataDir);
    await config.upsertChannel(channel());
    await config.addForwardRule({ channelId: 'ch1', targets: ['http://localhost:3000'], enabled: true });
    expect(await config.removeChannel('ch1')).toBe(true);
    expect(config.get().channels).toEqual([]);
    expect(config.get().forwardRules).toEqual([]);
    expect(await config.removeChannel('ch1')).toBe(false);
  });
});
