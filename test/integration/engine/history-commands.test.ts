// The history commands against a real data dir filled by a real `listen`: requests, replay, export.
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../../helpers/cli-process';
import { validateHar } from '../../helpers/har-validator';
import { send } from '../../helpers/relay-http';
import { startTargetServer, type TargetServer } from '../../helpers/target-server';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const HOP = new Set(['host', 'content-length', 'connection', 'x-hookline-replay']);
const endToEnd = (h: Array<[string, string]>) => h.filter(([n]) => !HOP.has(n.toLowerCase()));

const SENT = [
  {
    suffix: '/orders?shop=a',
    headers: [
      ['Content-Type', 'application/json'],
      ['X-Shopify-Topic', 'orders/create'],
    ] as Array<[string, string]>,
    body: Buffer.from('{"id": 1, "total":"10.0"}'),
  },
  {
    suffix: '/bin',
    headers: [
      ['Content-Type', 'application/octet-stream'],
      ['X-A', '1'],
      ['x-a', '2'],
    ] as Array<[string, string]>,
    body: Buffer.from([0, 1, 2, 0xff, 0x27, 0x22, 0x5c, 0x0a, 0x24]),
  },
];

describe('history commands', () => {
  const dataDir = tmp('hookline-history-');
  let target: TargetServer;
  let ids: string[] = [];

  beforeAll(async () => {
    target = await startTargetServer();
    const listen = startCli(['listen', '--data-dir', dataDir, '--json']);
    try {
      const url = (await listen.waitFor((l) => l.type === 'ready')).url as string;
      for (const s of SENT) await send(url + s.suffix, { headers: s.headers, body: s.body });
      const requests = await listen.waitForCount((l) => l.type === 'request', SENT.length);
      ids = requests.map((r) => (r.request as { id: string }).id);
    } finally {
      await listen.stop();
    }
  });
  afterAll(() => target?.close());

  it('lists the newest first, and filters', async () => {
    const all = await runCli(['requests', 'list', '--json', '--data-dir', dataDir]);
    expect(all.code).toBe(0);
    expect((JSON.parse(all.stdout) as Array<{ id: string }>).map((r) => r.id)).toEqual([...ids].reverse());
    const shopify = await runCli([
      'requests',
      'list',
      '--json',
      '--filter',
      'provider:shopify',
      '--data-dir',
      dataDir,
    ]);
    expect((JSON.parse(shopify.stdout) as Array<{ id: string }>).map((r) => r.id)).toEqual([ids[0]]);
  });

  it('says clearly when a request id is unknown', async () => {
    const res = await runCli(['requests', 'show', 'rq_nope', '--data-dir', dataDir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("no stored request has id 'rq_nope'");
  });

  it('replays a request as captured, marked as a replay, and stores the attempt', async () => {
    target.respondWith({ status: 202, body: 'again' });
    const res = await runCli([
      'replay',
      ids[1]!,
      '--to',
      `${target.url}/dev`,
      '--json',
      '--data-dir',
      dataDir,
    ]);
    expect(res.code).toBe(0);
    const got = await target.waitFor((r) => r.url === '/dev/bin');
    expect(sha(got.body)).toBe(sha(SENT[1]!.body));
    expect(endToEnd(got.headers)).toEqual(SENT[1]!.headers);
    expect(got.headers).toContainEqual(['X-Hookline-Replay', ids[1]]);
    const shown = JSON.parse(
      (await runCli(['requests', 'show', ids[1]!, '--json', '--data-dir', dataDir])).stdout,
    ) as {
      attempts: Array<{ kind: string; status: number }>;
    };
    expect(shown.attempts).toContainEqual(expect.objectContaining({ kind: 'replay', status: 202 }));
  });

  it('replays an edited request', async () => {
    const edit = join(dataDir, 'edit.json');
    writeFileSync(edit, JSON.stringify({ method: 'PUT', path: '/edited', bodyJson: { total: '99.0' } }));
    const res = await runCli(['replay', ids[0]!, '--to', target.url, '--edit', edit, '--data-dir', dataDir]);
    expect(res.code).toBe(0);
    const got = await target.waitFor((r) => r.url.startsWith('/edited'));
    expect(got.method).toBe('PUT');
    expect(got.url).toBe('/edited?shop=a');
    expect(JSON.parse(Buffer.from(got.body).toString())).toEqual({ total: '99.0' });
  });

  it('rejects an edit file that is not JSON, naming the file', async () => {
    const edit = join(dataDir, 'bad.json');
    writeFileSync(edit, '{nope');
    const res = await runCli(['replay', ids[0]!, '--to', target.url, '--edit', edit, '--data-dir', dataDir]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('bad.json is not valid JSON');
  });

  it('exports HAR 1.2 with every request', async () => {
    const out = join(dataDir, 'history.har');
    expect((await runCli(['export', '--format', 'har', '--out', out, '--data-dir', dataDir])).code).toBe(0);
    const har = JSON.parse(readFileSync(out, 'utf8')) as {
      log: { entries: Array<{ request: { url: string } }> };
    };
    expect(validateHar(har)).toEqual([]);
    expect(har.log.entries.map((e) => new URL(e.request.url).pathname.split('/').slice(3).join('/'))).toEqual(
      ['orders', 'bin'],
    );
  });

  it('exports cURL commands that reproduce each request byte for byte', async () => {
    const res = await runCli([
      'export',
      '--format',
      'curl',
      '--to',
      `${target.url}/curl`,
      '--data-dir',
      dataDir,
    ]);
    expect(res.code).toBe(0);
    const before = target.requests.length;
    const sh = spawn('sh', ['-c', res.stdout], { stdio: 'ignore' });
    expect((await once(sh, 'exit'))[0]).toBe(0);
    const got = target.requests.slice(before);
    expect(got.map((r) => r.url)).toEqual(['/curl/orders?shop=a', '/curl/bin']);
    got.forEach((r, i) => {
      expect(sha(r.body)).toBe(sha(SENT[i]!.body));
      expect(endToEnd(r.headers)).toEqual(SENT[i]!.headers);
    });
  });

  it('exports JSON with bodies that decode to the exact bytes', async () => {
    const res = await runCli(['export', '--format', 'json', '--data-dir', dataDir]);
    const exported = JSON.parse(res.stdout) as { requests: Array<{ body: { data: string } }> };
    expect(exported.requests.map((r) => sha(Buffer.from(r.body.data, 'base64')))).toEqual(
      SENT.map((s) => sha(s.body)),
    );
  });
});
