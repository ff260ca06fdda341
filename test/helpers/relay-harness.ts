// Starts an in-process relay on port 0 with a temp data dir, and creates channels on it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResponseMode } from '../../common/model';
import { createRelay, type Relay, type RelayOptions } from '../../relay/create-relay';

export interface TestChannel {
  id: string;
  url: string;
  token: string;
}

export interface TestRelay {
  relay: Relay;
  url: string;
  dataDir: string;
  createChannel(
    body?: { name?: string; responseMode?: ResponseMode },
    adminToken?: string,
  ): Promise<TestChannel>;
  /** Closes the relay (and, unless kept, removes its data dir). */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export function tempDir(prefix = 'hookline-relay-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startRelay(options: Partial<RelayOptions> = {}): Promise<TestRelay> {
  const dataDir = options.dataDir ?? tempDir();
  const relay = createRelay({ ...options, dataDir });
  const { url } = await relay.listen(0);
  return {
    relay,
    url,
    dataDir,
    createChannel: (body = {}, adminToken) => createChannel(url, body, adminToken),
    async stop({ keepData = false } = {}) {
      await relay.close();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function createChannel(
  relayUrl: string,
  body: { name?: string; responseMode?: ResponseMode } = {},
  adminToken?: string,
): Promise<TestChannel> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (adminToken) headers.authorization = `Bearer ${adminToken}`;
  const res = await fetch(`${relayUrl}/api/channels`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`creating a channel answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as TestChannel;
}
