import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSecrets } from '../../../main/config/secrets-store';

let dataDir: string;
beforeEach(() => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'hookline-secrets-')), 'data');
});
afterEach(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));

describe('secrets.json', () => {
  it('stores values in a 0600 file and reads them back after a reopen', async () => {
    const secrets = await openSecrets(dataDir);
    await secrets.set('STRIPE_WEBHOOK_SECRET', 'whsec_abc');
    expect(statSync(secrets.file).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect((await openSecrets(dataDir)).get('STRIPE_WEBHOOK_SECRET')).toBe('whsec_abc');
  });

  it('sees a secret set by another process while running', async () => {
    const app = await openSecrets(dataDir);
    const cli = await openSecrets(dataDir);
    await cli.set('LATE', 'v1');
    expect(app.get('LATE')).toBe('v1');
    await app.set('OTHER', 'v2');
    expect((await openSecrets(dataDir)).listNames()).toEqual(['LATE', 'OTHER']);
  });

  it('lists names only, never values', async () => {
    const secrets = await openSecrets(dataDir);
    await secrets.set('B_TOKEN', 'value-b');
    await secrets.set('A_TOKEN', 'value-a');
    expect(secrets.listNames()).toEqual(['A_TOKEN', 'B_TOKEN']);
    expect(JSON.stringify(secrets.listNames())).not.toContain('value');
  });

  it('deletes a secret', async () => {
    const secrets = await openSecrets(dataDir);
    await secrets.set('GONE', 'x');
    expect(await secrets.delete('GONE')).toBe(true);
    expect(await secrets.delete('GONE')).toBe(false);
    expect(secrets.get('GONE')).toBeUndefined();
    expect(secrets.get('toString')).toBeUndefined();
  });

  it('rejects a name a workflow could not reference', async () => {
    const secrets = await openSecrets(dataDir);
    await expect(secrets.set('1-bad name', 'x')).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('encrypts at rest with a cipher', async () => {
    const cipher = {
      encrypt: (s: string) => Buffer.from(s).toString('base64'),
      decrypt: (s: string) => Buffer.from(s, 'base64').toString(),
    };
    const secrets = await openSecrets(dataDir, { cipher });
    await secrets.set('KEY', 'plain-value');
    expect(readFileSync(secrets.file, 'utf8')).not.toContain('plain-value');
    expect(secrets.get('KEY')).toBe('plain-value');
  });

  it('reports a broken file and leaves it untouched', async () => {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'secrets.json'), '{"A": 1}');
    await expect(openSecrets(dataDir)).rejects.toMatchObject({ code: 'config_error' });
    writeFileSync(join(dataDir, 'secrets.json'), '{"A": "x",}');
    await expect(openSecrets(dataDir)).rejects.toMatchObject({
      message: expect.stringMatching(/secrets\.json is not valid JSON \(line 1\)/),
    });
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toBe('{"A": "x",}');
  });
});
