import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairsFromFlat } from '../../../common/model';
import type { CliIo } from '../../../main/cli/cli-io';
import { UsageError } from '../../../main/cli/cli-io';
import { runSendCommand } from '../../../main/cli/send-command';
import { runVerifyCommand } from '../../../main/cli/verify-command';
import { inspectRequest, type InspectResult } from '../../../main/verify';
import { loadVectors } from './load-fixtures';

function fakeIo(stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    stdin: Readable.from([Buffer.from(stdin)]),
    env: {},
    stopSignal: new Promise<void>(() => {}),
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

const dir = mkdtempSync(join(tmpdir(), 'hookline-verify-'));
function file(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('hookline verify', () => {
  const v = loadVectors().find((x) => x.id === 'stripe-official-valid')!;
  const headers = file('h.json', JSON.stringify(v.headers));
  const body = file('b.txt', v.body);

  it('prints valid and exits 0 for a good signature', async () => {
    const f = fakeIo();
    const args = ['--provider', 'stripe', '--secret', v.secret, '--headers', headers, '--body', body];
    const code = await runVerifyCommand([...args, '--now', String(v.now_unix)], f.io);
    expect(code).toBe(0);
    expect(JSON.parse(f.out())).toMatchObject({ valid: true, provider: 'stripe', reason: null });
  });

  it('prints the reason and exits 1 when stale', async () => {
    const f = fakeIo();
    const args = ['--provider', 'stripe', '--secret', v.secret, '--headers', headers, '--body', body];
    const code = await runVerifyCommand([...args, '--now', String(v.now_unix + 10_000)], f.io);
    expect(code).toBe(1);
    const out = JSON.parse(f.out()) as { valid: boolean; reason: string };
    expect(out.valid).toBe(false);
    expect(out.reason).toContain('tolerance');
  });

  it('accepts headers as a list of pairs and the body on stdin', async () => {
    const tw = loadVectors().find((x) => x.id === 'twilio-official-valid')!;
    const pairsFile = file('pairs.json', JSON.stringify(Object.entries(tw.headers)));
    const f = fakeIo(tw.body);
    const args = ['--provider', 'twilio', '--secret', tw.secret, '--headers', pairsFile, '--body', '-'];
    expect(await runVerifyCommand([...args, '--url', tw.url_if_needed!], f.io)).toBe(0);
  });

  it('treats bad usage as a UsageError (exit 2)', async () => {
    await expect(runVerifyCommand(['--body', body], fakeIo().io)).rejects.toBeInstanceOf(UsageError);
    await expect(runVerifyCommand(['--bogus'], fakeIo().io)).rejects.toBeInstanceOf(UsageError);
    const args = ['--provider', 'nope', '--headers', headers, '--body', body];
    await expect(runVerifyCommand(args, fakeIo().io)).rejects.toBeInstanceOf(UsageError);
    const ms = ['--headers', headers, '--body', body, '--now', '1700000000000'];
    await expect(runVerifyCommand(ms, fakeIo().io)).rejects.toThrow(/milliseconds/);
    const garbage = file('garbage.json', 'not json');
    await expect(runVerifyCommand(['--headers', garbage, '--body', body], fakeIo().io)).rejects.toThrow(
      /JSON/,
    );
  });

  it('prints help', async () => {
    const f = fakeIo();
    expect(await runVerifyCommand(['--help'], f.io)).toBe(0);
    expect(f.out()).toContain('Usage: hookline verify');
  });
});

describe('hookline send', () => {
  let url = '';
  let lastSecret = '';
  let nextStatus = 200;
  const received: InspectResult[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const result = inspectRequest(
        {
          method: req.method ?? 'POST',
          url: `${url}${req.url ?? '/'}`,
          path: '/hook',
          query: '',
          headers: pairsFromFlat(req.rawHeaders),
          body: new Uint8Array(Buffer.concat(chunks)),
        },
        { secret: lastSecret },
        { now: Math.floor(Date.now() / 1000) },
      );
      received.push(result);
      res.writeHead(nextStatus, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(result.verification));
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const cases: Array<[string, string, string | undefined]> = [
    ['stripe', 'whsec_test_secret', 'payment_intent.succeeded'],
    ['github', 'gh-secret', 'pull_request'],
    ['shopify', 'shop-secret', 'orders/create'],
    ['slack', 'slack-signing-secret', 'app_mention'],
    ['standard-webhooks', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'invoice.paid'],
    ['twilio', 'auth-token', undefined],
    ['mailgun', 'key-abc', undefined],
  ];

  for (const [provider, secret, event] of cases) {
    it(`sends a ${provider} ${event ?? 'sample'} that the receiver verifies`, async () => {
      lastSecret = secret;
      nextStatus = 200;
      const f = fakeIo();
      const args = ['--provider', provider, '--secret', secret, `${url}/hook`];
      const code = await runSendCommand(event ? ['--event', event, ...args] : args, f.io);
      const last = received.at(-1)!;
      expect(last.provider).toBe(provider);
      expect(last.verification.status, last.verification.reason).toBe('valid');
      if (event) expect(last.eventType).toBe(event);
      expect(code).toBe(0);
      expect(f.out()).toMatch(/^200 OK\n/);
    });
  }

  it('sends a custom body and exits 1 when the target answers non-2xx', async () => {
    lastSecret = 'gh-secret';
    nextStatus = 500;
    const body = file('custom.json', '{"zen":"Keep it logically awesome."}');
    const f = fakeIo();
    const code = await runSendCommand(
      ['--provider', 'github', '--secret', 'gh-secret', '--body', body, `${url}/hook`],
      f.io,
    );
    expect(code).toBe(1);
    expect(received.at(-1)!.verification.status).toBe('valid');
    expect(f.out()).toMatch(/^500 /);
  });

  it('reports an unreachable target with exit 1', async () => {
    const f = fakeIo();
    const code = await runSendCommand(
      ['--provider', 'stripe', '--secret', 'whsec_x', 'http://127.0.0.1:1/hook'],
      f.io,
    );
    expect(code).toBe(1);
    expect(f.err()).toContain('failed');
  });

  it('lists samples and rejects bad usage', async () => {
    const f = fakeIo();
    expect(await runSendCommand(['--list'], f.io)).toBe(0);
    expect(f.out()).toContain('payment_intent.succeeded');
    await expect(
      runSendCommand(['--provider', 'stripe', '--secret', 's'], fakeIo().io),
    ).rejects.toBeInstanceOf(UsageError);
    await expect(runSendCommand(['--secret', 's', url], fakeIo().io)).rejects.toBeInstanceOf(UsageError);
    const h = fakeIo();
    expect(await runSendCommand(['--help'], h.io)).toBe(0);
    expect(h.out()).toContain('Usage: hookline send');
  });
});
