// Signatures and handshakes through the whole pipe: `hookline send` → relay → `listen` → verdict stored.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliProcess } from '../../helpers/cli-process';
import { send } from '../../helpers/relay-http';
import { spawnRelay, type RelayProcess } from '../../helpers/relay-process';
import { startTargetServer, type RecordedRequest } from '../../helpers/target-server';
import { inspectRequest } from '../../../main/verify';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const STRIPE_SECRET = 'whsec_test_pipe_secret';
const SLACK_SECRET = 'slack-signing-secret-for-tests';

describe('verification through the pipe', () => {
  const dataDir = tmp('hookline-verify-');
  let relay: RelayProcess;
  let listen: CliProcess;
  let url: string;

  beforeAll(async () => {
    relay = await spawnRelay(tmp('hookline-relay-'));
    expect(
      (await runCli(['secrets', 'set', 'STRIPE_WEBHOOK_SECRET', '--data-dir', dataDir], STRIPE_SECRET + '\n'))
        .code,
    ).toBe(0);
    expect(
      (
        await runCli([
          'secrets',
          'set',
          'SLACK_WEBHOOK_SECRET',
          '--value',
          SLACK_SECRET,
          '--data-dir',
          dataDir,
        ])
      ).code,
    ).toBe(0);
    listen = startCli(['listen', '--relay', relay.url, '--data-dir', dataDir, '--json']);
    url = (await listen.waitFor((l) => l.type === 'ready')).url as string;
    await listen.waitFor((l) => l.type === 'state' && l.state === 'connected');
  });
  afterAll(async () => {
    await listen?.stop();
    relay?.child.kill('SIGKILL');
  });

  const requestWithEvent = (eventType: string) =>
    listen.waitFor(
      (l) => l.type === 'request' && (l.request as { eventType?: string }).eventType === eventType,
    );

  it('marks a Stripe event signed with the channel’s secret as valid', async () => {
    const sent = runCli([
      'send',
      '--provider',
      'stripe',
      '--secret',
      STRIPE_SECRET,
      '--event',
      'payment_intent.succeeded',
      url,
    ]);
    const line = await requestWithEvent('payment_intent.succeeded');
    expect(line.request).toMatchObject({ provider: 'stripe', verification: { status: 'valid' } });
    await sent;
  });

  it('marks one signed with another secret as invalid, saying why', async () => {
    const bodyFile = join(dataDir, 'other.json');
    writeFileSync(bodyFile, JSON.stringify({ id: 'evt_other', object: 'event', type: 'customer.created' }));
    const sent = runCli([
      'send',
      '--provider',
      'stripe',
      '--secret',
      'whsec_someone_else',
      '--body',
      bodyFile,
      url,
    ]);
    const line = await requestWithEvent('customer.created');
    const verification = (line.request as { verification: { status: string; reason: string } }).verification;
    expect(verification.status).toBe('invalid');
    expect(verification.reason).toMatch(/signature/i);
    await sent;
  });

  it('answers Slack’s url_verification handshake through the relay on an ack-mode channel', async () => {
    const body = JSON.stringify({ token: 't', challenge: 'ch4ll3nge-value', type: 'url_verification' });
    const bodyFile = join(dataDir, 'slack.json');
    writeFileSync(bodyFile, body);
    const res = await runCli([
      'send',
      '--provider',
      'slack',
      '--secret',
      SLACK_SECRET,
      '--body',
      bodyFile,
      url,
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('ch4ll3nge-value');
  });

  it('answers a Dropbox GET challenge with the challenge as plain text', async () => {
    const res = await send(`${url}?challenge=dbx-123`, { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('dbx-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('replays a stale event with --resign so the handler’s own check passes again', async () => {
    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    const bodyFile = join(dataDir, 'stale.json');
    writeFileSync(bodyFile, JSON.stringify({ id: 'evt_stale', object: 'event', type: 'invoice.paid' }));
    const sent = runCli([
      'send',
      '--provider',
      'stripe',
      '--secret',
      STRIPE_SECRET,
      '--now',
      stale,
      '--body',
      bodyFile,
      url,
    ]);
    const line = await requestWithEvent('invoice.paid');
    const stored = line.request as { id: string; verification: { status: string; reason: string } };
    expect(stored.verification.status).toBe('invalid');
    expect(stored.verification.reason).toMatch(/tolerance/);
    await sent;

    const target = await startTargetServer();
    try {
      const asIs = await runCli(['replay', stored.id, '--to', target.url, '--data-dir', dataDir]);
      const resigned = await runCli([
        'replay',
        stored.id,
        '--to',
        target.url,
        '--resign',
        '--data-dir',
        dataDir,
      ]);
      expect([asIs.code, resigned.code]).toEqual([0, 0]);
      const [first, second] = [await target.request(0), await target.request(1)];
      const check = (r: RecordedRequest) =>
        inspectRequest(
          { ...r, path: '', query: '' },
          { provider: 'stripe', secret: STRIPE_SECRET },
          { now: Math.floor(Date.now() / 1000) },
        ).verification.status;
      expect(check(first)).toBe('invalid');
      expect(check(second)).toBe('valid');
      expect(Buffer.from(second.body).toString()).toBe(Buffer.from(first.body).toString());
    } finally {
      await target.close();
    }
  });

  it('verifies one request offline with `hookline verify`', async () => {
    const headers = join(dataDir, 'headers.json');
    const body = join(dataDir, 'body.json');
    const fixtureBody = '{"id":"evt_1","type":"x"}';
    writeFileSync(body, fixtureBody);
    const { createHmac } = await import('node:crypto');
    const sig = createHmac('sha256', STRIPE_SECRET).update(`1700000000.${fixtureBody}`).digest('hex');
    writeFileSync(headers, JSON.stringify({ 'Stripe-Signature': `t=1700000000,v1=${sig}` }));
    const ok = await runCli([
      'verify',
      '--provider',
      'stripe',
      '--secret',
      STRIPE_SECRET,
      '--headers',
      headers,
      '--body',
      body,
      '--now',
      '1700000060',
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, provider: 'stripe' });
    const stale = await runCli([
      'verify',
      '--provider',
      'stripe',
      '--secret',
      STRIPE_SECRET,
      '--headers',
      headers,
      '--body',
      body,
      '--now',
      '1700009999',
    ]);
    expect(stale.code).toBe(1);
    expect(JSON.parse(stale.stdout).reason).toMatch(/tolerance/);
  });
});
