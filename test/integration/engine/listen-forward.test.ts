// `hookline listen` end to end: a real relay process, the real CLI as a child process, a real target.
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliProcess } from '../../helpers/cli-process';
import { spawnRelay, type RelayProcess } from '../../helpers/relay-process';
import { send } from '../../helpers/relay-http';
import { startTargetServer, type RecordedRequest, type TargetServer } from '../../helpers/target-server';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** Headers that legitimately change on a new hop. */
const HOP = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding']);
const endToEnd = (h: Array<[string, string]>) => h.filter(([n]) => !HOP.has(n.toLowerCase()));

const CASES: Array<{
  name: string;
  method: string;
  suffix: string;
  headers: Array<[string, string]>;
  body: Buffer;
}> = [
  {
    name: 'JSON with odd spacing and 1.0',
    method: 'POST',
    suffix: '/json?x=1&x=2',
    headers: [['Content-Type', 'application/json']],
    body: Buffer.from('{ "a" :1.0,\n\t"b":"é✓"  }\n'),
  },
  {
    name: 'invalid UTF-8',
    method: 'PUT',
    suffix: '/bytes',
    headers: [['Content-Type', 'text/plain']],
    body: Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x00, 0x41]),
  },
  {
    name: 'random binary',
    method: 'POST',
    suffix: '/bin',
    headers: [['Content-Type', 'application/octet-stream']],
    body: Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 256)),
  },
  {
    name: 'a form',
    method: 'PATCH',
    suffix: '',
    headers: [['Content-Type', 'application/x-www-form-urlencoded']],
    body: Buffer.from('a=1&b=%20x+y&a=2'),
  },
  {
    name: 'multipart',
    method: 'POST',
    suffix: '/upload',
    headers: [['Content-Type', 'multipart/form-data; boundary=XyZ']],
    body: Buffer.from(
      '--XyZ\r\nContent-Disposition: form-data; name="f"; filename="a.bin"\r\n\r\n\x00\x01\x02\r\n--XyZ--\r\n',
      'latin1',
    ),
  },
  {
    name: 'duplicate headers, an empty DELETE',
    method: 'DELETE',
    suffix: '/items/9?force',
    headers: [
      ['X-Dup', 'one'],
      ['x-dup', 'two'],
      ['X-Case-Kept', 'Yes'],
    ],
    body: Buffer.alloc(0),
  },
  {
    name: 'a GET with a query',
    method: 'GET',
    suffix: '/ping?challenge=abc%20def',
    headers: [['Accept', '*/*']],
    body: Buffer.alloc(0),
  },
];

describe('hookline listen', () => {
  let relay: RelayProcess;
  let target: TargetServer;
  let listen: CliProcess;
  let url: string;
  const dataDir = tmp('hookline-listen-');

  beforeAll(async () => {
    relay = await spawnRelay(tmp('hookline-relay-'));
    target = await startTargetServer();
    target.respondWith({ status: 201, headers: [['X-Target', 'yes']], body: 'created' });
    listen = startCli([
      'listen',
      '--relay',
      relay.url,
      '--data-dir',
      dataDir,
      '--forward',
      `${target.url}/hooks`,
      '--json',
    ]);
    url = (await listen.waitFor((l) => l.type === 'ready')).url as string;
    await listen.waitFor((l) => l.type === 'state' && l.state === 'connected');
  });

  afterAll(async () => {
    await listen?.stop();
    relay?.child.kill('SIGKILL');
    await target?.close();
  });

  it('prints the public URL first, as NDJSON', () => {
    expect(listen.lines[0]).toMatchObject({
      type: 'ready',
      channel: expect.any(String),
      url: expect.stringContaining('/h/'),
    });
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('forwards %s byte for byte', async (_name, c, i) => {
    const res = await send(url + c.suffix, { method: c.method, headers: c.headers, body: c.body });
    expect(res.status).toBe(200);
    const got: RecordedRequest = await target.request(i);
    expect(got.method).toBe(c.method);
    expect(got.url).toBe('/hooks' + c.suffix);
    expect(sha(got.body)).toBe(sha(c.body));
    expect(endToEnd(got.headers)).toEqual(c.headers);
  });

  it('forwards a 25 MB random body byte for byte end to end', async () => {
    const big = (await import('node:crypto')).randomBytes(25 * 1024 * 1024);
    const before = target.requests.length;
    const res = await send(`${url}/big`, {
      headers: [['Content-Type', 'application/octet-stream']],
      body: big,
    });
    expect(res.status).toBe(200);
    const got = await target.request(before);
    expect(got.url).toBe('/hooks/big');
    expect(got.body.length).toBe(big.length);
    expect(sha(got.body)).toBe(sha(big));
  });

  it('stores the target’s answer with the request', async () => {
    const attempt = await listen.waitFor((l) => l.type === 'attempt');
    const id = (attempt.attempt as { requestId: string }).requestId;
    const shown = await runCli(['requests', 'show', id, '--json', '--data-dir', dataDir]);
    expect(shown.code).toBe(0);
    const detail = JSON.parse(shown.stdout) as { attempts: Array<Record<string, unknown>> };
    expect(detail.attempts[0]).toMatchObject({ kind: 'forward', status: 201, responseBody: 'created' });
    expect(detail.attempts[0]!.responseHeaders).toContainEqual(['X-Target', 'yes']);
  });

  it('in wait mode, answers the sender with the target’s response', async () => {
    const waitTarget = await startTargetServer();
    waitTarget.respondWith({
      status: 418,
      headers: [
        ['X-From', 'target'],
        ['Content-Type', 'text/plain'],
      ],
      body: 'teapot',
    });
    const app = startCli([
      'listen',
      '--relay',
      relay.url,
      '--data-dir',
      tmp('hookline-listen-'),
      '--response-mode',
      'wait',
      '--forward',
      waitTarget.url,
      '--json',
    ]);
    try {
      const u = (await app.waitFor((l) => l.type === 'ready')).url as string;
      await app.waitFor((l) => l.type === 'state' && l.state === 'connected');
      const res = await send(u, { body: '{}' });
      expect(res.status).toBe(418);
      expect(res.headers['x-from']).toBe('target');
      expect(res.body.toString()).toBe('teapot');
    } finally {
      await app.stop();
      await waitTarget.close();
    }
  });

  it('records a refused target as data and keeps going', async () => {
    const refused = startCli([
      'listen',
      '--relay',
      relay.url,
      '--data-dir',
      tmp('hookline-listen-'),
      '--forward',
      'http://127.0.0.1:1/x',
      '--json',
    ]);
    try {
      const u = (await refused.waitFor((l) => l.type === 'ready')).url as string;
      await send(u, { body: 'a' });
      await send(u, { body: 'b' });
      const attempts = await refused.waitForCount((l) => l.type === 'attempt', 2);
      expect(attempts.map((a) => (a.attempt as { error: { code: string } }).error.code)).toEqual([
        'ECONNREFUSED',
        'ECONNREFUSED',
      ]);
    } finally {
      await refused.stop();
    }
  });
});
