import { describe, expect, it } from 'vitest';
import { inspectRequest, resolveProviderId } from '../../../main/verify';
import type { SecretConfig } from '../../../main/verify/types';
import { loadVectors, pairs, requestOf, type SignatureVector } from './load-fixtures';

function configOf(v: SignatureVector): SecretConfig {
  const provider = resolveProviderId(v.provider);
  if (!provider) throw new Error(`unknown provider ${v.provider}`);
  const config: SecretConfig = { provider, secret: v.secret };
  if (v.webhook_id) config.webhookId = v.webhook_id;
  return config;
}

describe('signature vectors', () => {
  for (const v of loadVectors()) {
    it(`${v.id} is ${v.expected}`, () => {
      const req = requestOf(v.method ?? 'POST', v.url_if_needed, pairs(v.headers), v.body);
      const result = inspectRequest(req, configOf(v), { now: v.now_unix });
      expect(result.verification.status, result.verification.reason).toBe(v.expected);
      if (v.expected === 'invalid') expect(result.verification.reason).toBeTruthy();
    });
  }

  it('accepts a provider alias in the config (svix, clerk, resend)', () => {
    const v = loadVectors().find((x) => x.provider === 'clerk')!;
    const req = requestOf('POST', null, pairs(v.headers), v.body);
    const config = { provider: 'clerk', secret: v.secret } as unknown as SecretConfig;
    expect(inspectRequest(req, config, { now: v.now_unix }).verification.status).toBe('valid');
  });

  for (const v of loadVectors().filter((x) => x.expected === 'valid')) {
    it(`${v.id} is detected as its provider from the request alone`, () => {
      const req = requestOf(v.method ?? 'POST', v.url_if_needed, pairs(v.headers), v.body);
      const result = inspectRequest(req, { secret: v.secret, webhookId: v.webhook_id }, { now: v.now_unix });
      expect(result.provider).toBe(resolveProviderId(v.provider));
      expect(result.verification.status, result.verification.reason).toBe('valid');
    });
  }
});
