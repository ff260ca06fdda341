import { rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { connectSubscriber } from '../../helpers/relay-subscriber';
import { createChannel, tempDir } from '../../helpers/relay-harness';
import { spawnRelay, type RelayProcess } from '../../helpers/relay-process';
import { json, send } from '../../helpers/relay-http';

describe('the relay as a process', () => {
  const dataDir = tempDir();
  let proc: RelayProcess | undefined;
  afterEach(async () => {
    if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses nothing it answered 2xx when killed with SIGKILL mid-stream', async () => {
    proc = await spawnRelay(dataDir);
    const channel = await createChannel(proc.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 10 });
    const accepted = new Set<string>();
    let stopped = false;
    const url = channel.url.replace(/^http:\/\/[^/]+/, proc.url);
    const senders = Array.from({ length: 10 }, async (_, s) => {
      for (let i = 0; !stopped; i++) {
        try {
          const res = await send(url, { body: `{"s":${s},"i":${i}}`, agent });
          if (res.status === 200) accepted.add(json(res).id as string);
        } catch {
          return; // the relay died under this request: it was never answered, so it may be lost
        }
      }
    });
    while (accepted.size < 200) await new Promise((r) => setImmediate(r));
    proc.child.kill('SIGKILL');
    await proc.exited;
    stopped = true;
    await Promise.all(senders);
    agent.destroy();

    proc = await spawnRelay(dataDir);
    const sub = connectSubscriber({ relayUrl: proc.url, channelId: channel.id, token: channel.token });
    const welcome = await sub.welcome;
    expect(welcome.resumeFrom).toBe(0);
    // Everything buffered arrives; count it by reading until the stream is quiet at the head.
    const head = (await (
      await fetch(`${proc.url}/api/channels/${channel.id}`, {
        headers: { authorization: `Bearer ${channel.token}` },
      })
    ).json()) as { lastSeq: number };
    const got = await sub.waitFor(head.lastSeq);
    const ids = new Set(got.map((r) => r.id as string));
    const missing = [...accepted].filter((id) => !ids.has(id));
    expect(missing).toEqual([]);
    expect(got.map((r) => r.seq)).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
    await sub.close();
  });

  it('shuts down cleanly on SIGTERM: exit code 0, subscribers closed with 1001', async () => {
    proc = await spawnRelay(dataDir);
    const channel = await createChannel(proc.url);
    const sub = connectSubscriber({ relayUrl: proc.url, channelId: channel.id, token: channel.token });
    await sub.welcome;
    proc.child.kill('SIGTERM');
    expect((await sub.closed).code).toBe(1001);
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    expect(proc.lines.map((l) => JSON.parse(l) as { type: string })).toContainEqual({ type: 'stopped' });
  });
});
