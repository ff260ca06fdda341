// Runs each exported command for real, in dash (`sh`), against a target that records the bytes.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawHeaders } from '../../../common/model';
import { toCurl } from '../../../main/export/curl-export';
import type { CurlSource } from '../../../main/export/curl-export';
import { joinTargetUrl } from '../../../main/forward/target-url';
import { startTargetServer } from '../../helpers/target-server';
import type { TargetServer } from '../../helpers/target-server';

const run = promisify(execFile);
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

let target: TargetServer;
let dir: string;
beforeAll(async () => {
  target = await startTargetServer();
  dir = await mkdtemp(join(tmpdir(), 'hookline-curl-'));
});
afterAll(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

/** Writes the command to a script (a 1 MB body is over the argv limit of `sh -c`) and runs it. */
async function replayWithCurl(req: CurlSource, path: string, query: string) {
  const n = target.requests.length;
  const script = join(dir, `cmd-${n}.sh`);
  await writeFile(script, toCurl(req, joinTargetUrl(target.url, path, query)) + '\n');
  await run('sh', [script], { maxBuffer: 1 << 20 });
  return target.request(n);
}

/** Headers curl computes for the new hop. */
const hopOwn = (h: RawHeaders) => h.filter(([n]) => !/^(host|content-length)$/i.test(n));

const cases: Array<[string, CurlSource, string, string]> = [
  [
    'a JSON POST with quotes, dollars and backslashes',
    {
      method: 'POST',
      headers: [
        ['Content-Type', 'application/json'],
        ['X-Quote', `it's "$HOME" \`id\` \\n`],
        ['x-dup', '1'],
        ['X-Dup', '2'],
        ['User-Agent', 'Stripe/1.0'],
        ['Accept', '*/*; q=0.5'],
      ],
      body: bytes('{ "a" : "it\'s $HOME `id` \\n %s %%" ,\n\t"b":1 }\n'),
    },
    '/hooks/a',
    'x=1&x=2&y=%20z',
  ],
  [
    'invalid UTF-8 with NUL bytes and a trailing newline',
    {
      method: 'PUT',
      headers: [['Content-Type', 'application/octet-stream']],
      body: new Uint8Array([0x00, 0xff, 0xc3, 0x28, 0x27, 0x25, 0x5c, 0x0d, 0x0a, 0x00, 0x0a]),
    },
    '/bin',
    '',
  ],
  ['a body that starts with @', { method: 'POST', headers: [], body: bytes('@/etc/passwd') }, '', ''],
  [
    '1 MB of random bytes',
    {
      method: 'POST',
      headers: [['Content-Type', 'application/octet-stream']],
      body: new Uint8Array(randomBytes(1 << 20)),
    },
    '/big',
    '',
  ],
  [
    'a GET with no body and an empty header value',
    {
      method: 'GET',
      headers: [
        ['X-Empty', ''],
        ['Accept', 'application/json'],
      ],
      body: new Uint8Array(),
    },
    '/get',
    'q=[1]{2}',
  ],
  [
    'a bodyless POST',
    { method: 'POST', headers: [['Content-Length', '0']], body: new Uint8Array() },
    '/empty',
    '',
  ],
  [
    'a DELETE with a latin1 header and hop-by-hop headers',
    {
      method: 'DELETE',
      headers: [
        ['Host', 'relay.example'],
        ['Connection', 'keep-alive'],
        ['Transfer-Encoding', 'chunked'],
        ['X-Latin', 'caf\u00e9 \u00ff'],
        ['Content-Length', '3'],
      ],
      body: bytes('a=1'),
    },
    '/x/../y',
    '',
  ],
];

describe('toCurl, re-run with real curl', () => {
  it.each(cases)('reproduces %s', async (_name, req, path, query) => {
    const got = await replayWithCurl(req, path, query);
    expect(got.method).toBe(req.method);
    expect(got.url).toBe(joinTargetUrl('http://h', path, query).slice('http://h'.length));
    expect(Buffer.from(got.body).equals(Buffer.from(req.body))).toBe(true);
    const sent = req.headers.filter(
      ([n]) => !/^(host|content-length|connection|transfer-encoding)$/i.test(n),
    );
    expect(hopOwn(got.headers)).toEqual(sent);
  });

  it('sends HEAD with --head', async () => {
    const got = await replayWithCurl(
      { method: 'HEAD', headers: [['X-A', '1']], body: new Uint8Array() },
      '/h',
      '',
    );
    expect(got.method).toBe('HEAD');
    expect(hopOwn(got.headers)).toEqual([['X-A', '1']]);
  });
});

describe('toCurl output', () => {
  it('is readable for a small text body', () => {
    const cmd = toCurl(
      { method: 'POST', headers: [['Content-Type', 'application/json']], body: bytes('{"a":1}') },
      'http://localhost:3000/w',
    );
    expect(cmd).toBe(
      [
        "curl -sS --http1.1 --globoff --path-as-is -X 'POST' 'http://localhost:3000/w'",
        "-H 'Content-Type: application/json'",
        "-H 'User-Agent:'",
        "-H 'Accept:'",
        "-H 'Expect:'",
        `--data-binary '{"a":1}'`,
      ].join(' \\\n  '),
    );
  });

  it('pipes binary bodies through printf with octal escapes', () => {
    const cmd = toCurl(
      { method: 'POST', headers: [], body: new Uint8Array([0, 0x27, 0x25, 0x5c, 0x41]) },
      'http://h/',
    );
    expect(cmd.startsWith(`printf '\\000\\047%%\\\\A' | curl `)).toBe(true);
    expect(cmd.endsWith('--data-binary @-')).toBe(true);
  });
});
