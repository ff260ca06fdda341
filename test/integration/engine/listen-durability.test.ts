// Nothing is lost and nothing is forwarded twice: across a stopped `listen` and a relay killed mid-stream.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from '../../helpers/cli-process';
import { spawnRelay } from '../../helpers/relay-process';
import { send } from '../../helpers/relay-http';
import { startTargetServer, type TargetServer } from '../../helpers/target-server';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const numbers = (t: TargetServer) =>
  t.requests.map((r) => (JSON.parse(Buffer.from(r.body).toString()) as { n: number }).n);

describe('listen durability', () => {
  const cleanup: Array<() => Promise<unknown> | void> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup() {
    const relayDir = tmp('hookline-relay-');
    const relay = await spawnRelay(relayDir);
    cleanup.push(() => void relay.child.kill('SIGKILL'));
    const target = await startTargetServer();
    cleanup.push(() => target.close());
    const dataDir = tmp('hookline-listen-');
    const listen = (): CliProcess => {
      const p = startCli([
        'listen',
        '--relay',
        relay.url,
        '--data-dir',
        dataDir,
        '--forward',
        target.url,
        '--json',
      ]);
      cleanup.push(() => p.stop());
      return p;
    };
    return { relay, relayDir, target, dataDir, listen };
  }

  it('forwards the 50 requests sent while listen was stopped, in order, none twice, to the same URL', async () => {
    const { target, listen } = await setup();
    const first = listen();
    const url = (await first.waitFor((l) => l.type === 'ready')).url as string;
    await first.waitFor((l) => l.type === 'state' && l.state === 'connected');
    expect(await first.stop()).toBe(0);

    for (let n = 0; n < 50; n++) expect((await send(url, { body: JSON.stringify({ n }) })).status).toBe(200);

    const second = listen();
    expect((await second.waitFor((l) => l.type === 'ready')).url).toBe(url);
    await target.request(49);
    // A marker sent now arrives after any duplicate would have: forwards to one target keep their order.
    await send(url, { body: JSON.stringify({ n: 50 }) });
    await target.request(50);
    expect(numbers(target)).toEqual([...Array(51).keys()]);
  });

  it('loses nothing answered 2xx when the relay is killed with SIGKILL and restarted mid-stream', async () => {
    const { relay, relayDir, target, listen } = await setup();
    const app = listen();
    const url = (await app.waitFor((l) => l.type === 'ready')).url as string;
    await app.waitFor((l) => l.type === 'state' && l.state === 'connected');

    const accepted: number[] = [];
    const post = async (n: number) => {
      try {
        if ((await send(url, { body: JSON.stringify({ n }) })).status === 200) accepted.push(n);
      } catch {
        // refused or reset while the relay was down: the sender was not told 2xx, so it may be lost
      }
    };
    const inFlight: Array<Promise<void>> = [];
    for (let n = 0; n < 60; n++) {
      inFlight.push(post(n));
      if (n === 30) relay.child.kill('SIGKILL');
      if (n % 10 === 9) await Promise.all(inFlight.splice(0));
    }
    await Promise.all(inFlight);
    await relay.exited;
    const again = await spawnRelay(relayDir, ['--port', String(relay.port)]);
    cleanup.push(() => void again.child.kill('SIGKILL'));
    await app.waitForCount((l) => l.type === 'state' && l.state === 'connected', 2);
    for (let n = 60; n < 80; n++) await post(n);

    // Forwards to one target keep delivery order, so once this marker arrives every earlier one has.
    await send(url, { body: JSON.stringify({ n: 1000 }) });
    await target.waitFor((r) => Buffer.from(r.body).toString() === '{"n":1000}');
    const got = numbers(target).filter((n) => n !== 1000);
    for (const n of accepted) expect(got).toContain(n);
    expect(new Set(got).size).toBe(got.length);
  });
});
