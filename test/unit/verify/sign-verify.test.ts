import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RawHeaders } from '../../../common/model';
import {
  getScheme,
  inspectRequest,
  PROVIDER_IDS,
  resignRequest,
  sampleEvent,
  signWebhook,
  type ProviderId,
  type SecretConfig,
  type VerifiableRequest,
} from '../../../main/verify';
import { replaceHeaders } from '../../../main/verify/request-parts';

const NOW = 1_717_171_717;
const URL_ = 'https://relay.example.test/h/ch_1/webhooks?source=test';

function keyPairs() {
  const ed = generateKeyPairSync('ed25519');
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    discord: {
      publicKey: ed.publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex'),
      privateKey: ed.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    },
    sendgrid: {
      publicKey: ec.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      privateKey: ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    },
    paypal: {
      certificate: rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      privateKey: rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      webhookId: '1JE4291016473214C',
    },
  };
}

const keys = keyPairs();

function configFor(provider: ProviderId): SecretConfig {
  const base: SecretConfig = { provider };
  switch (provider) {
    case 'discord':
      return { ...base, ...keys.discord };
    case 'sendgrid':
      return { ...base, ...keys.sendgrid };
    case 'paypal':
      return { ...base, ...keys.paypal };
    case 'standard-webhooks':
      return { ...base, secret: `whsec_${randomBytes(24).toString('base64')}` };
    case 'okta':
      return { ...base, secret: 'Bearer okta-hook-secret' };
    case 'generic':
      return {
        ...base,
        secret: 'generic-secret',
        generic: {
          header: 'X-Signature',
          timestampHeader: 'X-Timestamp',
          template: '{timestamp}.{method}.{body}',
          prefix: 'sha256=',
          encoding: 'base64',
        },
      };
    default:
      return { ...base, secret: 'a-test-secret-0123456789' };
  }
}

/** A signed sample request for the provider, as the relay would capture it. */
function signedRequest(provider: ProviderId, config: SecretConfig, at: number): VerifiableRequest {
  const sample = sampleEvent(provider, undefined, { now: at });
  const signed = signWebhook(provider, config, {
    method: 'POST',
    url: URL_,
    body: sample.body,
    headers: sample.headers,
    now: at,
  });
  const u = new URL(URL_);
  return {
    method: 'POST',
    url: URL_,
    path: u.pathname,
    query: u.search.slice(1),
    headers: replaceHeaders(sample.headers, signed.headers),
    body: signed.body,
  };
}

/** Schemes whose signature does not cover the body: a shared token, or Mailgun's timestamp+token. */
const BODY_NOT_SIGNED: ProviderId[] = ['okta', 'gitlab', 'mailgun'];

function tamper(provider: ProviderId, req: VerifiableRequest): VerifiableRequest {
  if (!BODY_NOT_SIGNED.includes(provider)) {
    const body = Uint8Array.from(req.body);
    const i = Math.floor(body.length / 2);
    body[i] = body[i]! ^ 0x01;
    return { ...req, body };
  }
  if (provider === 'mailgun') {
    const text = new TextDecoder()
      .decode(req.body)
      .replace(/"token":"(.)/, (_m, c: string) => `"token":"${c === 'a' ? 'b' : 'a'}`);
    return { ...req, body: new TextEncoder().encode(text) };
  }
  const name = provider === 'okta' ? 'Authorization' : 'X-Gitlab-Token';
  const headers: RawHeaders = replaceHeaders(req.headers, [[name, 'not-the-token']]);
  return { ...req, headers };
}

describe.each(PROVIDER_IDS.map((p) => [p]))('%s', (provider) => {
  const config = configFor(provider);
  const scheme = getScheme(provider);

  it('verifies a request its own signer produced, and names the event', () => {
    const req = signedRequest(provider, config, NOW);
    const result = inspectRequest(req, config, { now: NOW });
    expect(result.verification, result.verification.reason).toMatchObject({ status: 'valid', provider });
    if (provider !== 'generic' && provider !== 'dropbox') expect(result.eventType).toBeTruthy();
  });

  it('detects the provider from the signed request alone', () => {
    if (provider === 'generic') return;
    const req = signedRequest(provider, config, NOW);
    const { provider: _forced, ...unforced } = config;
    expect(inspectRequest(req, unforced, { now: NOW }).provider).toBe(provider);
  });

  it(`rejects ${BODY_NOT_SIGNED.includes(provider) ? 'a changed token' : 'one flipped body byte'}`, () => {
    const req = tamper(provider, signedRequest(provider, config, NOW));
    const result = inspectRequest(req, config, { now: NOW });
    expect(result.verification.status).toBe('invalid');
    expect(result.verification.reason).toBeTruthy();
  });

  it('says no-secret when signed but nothing is configured, and names the secret', () => {
    const req = signedRequest(provider, config, NOW);
    const result = inspectRequest(req, { provider, generic: config.generic }, { now: NOW });
    expect(result.verification.status).toBe('no-secret');
    expect(result.verification.reason).toContain('needs');
  });

  if (scheme.hasTimestamp && provider !== 'gitlab') {
    it('rejects a stale timestamp, and re-signing makes it verify again', () => {
      const old = NOW - 7200;
      const req = signedRequest(provider, config, old);
      const stale = inspectRequest(req, config, { now: NOW });
      expect(stale.verification.status).toBe('invalid');
      expect(stale.verification).toMatchObject({ code: 'timestamp-outside-tolerance' });
      expect(stale.verification.reason).toMatch(/old, outside the \d+ s tolerance by \d+(\.\d+)? s/);
      const resigned = resignRequest(req, config, { now: NOW });
      const again = inspectRequest({ ...req, ...resigned }, config, { now: NOW });
      expect(again.verification, again.verification.reason).toMatchObject({ status: 'valid' });
    });
  } else {
    it('re-signs a request with the channel secret (e.g. after an edit)', () => {
      const req = signedRequest(provider, config, NOW);
      const edited = { ...req, body: new TextEncoder().encode('{"edited":true}') };
      const resigned = resignRequest(edited, config, { now: NOW });
      const again = inspectRequest({ ...edited, ...resigned }, config, { now: NOW });
      expect(again.verification, again.verification.reason).toMatchObject({ status: 'valid' });
    });
  }
});

describe('GitLab signing token', () => {
  const config: SecretConfig = {
    provider: 'gitlab',
    signingToken: `whsec_${randomBytes(32).toString('base64')}`,
  };

  it('signs as Standard Webhooks, rejects stale and re-signs', () => {
    const req = signedRequest('gitlab', config, NOW - 3600);
    expect(req.headers.some(([n]) => n === 'webhook-signature')).toBe(true);
    expect(inspectRequest(req, config, { now: NOW - 3600 }).verification.status).toBe('valid');
    expect(inspectRequest(req, config, { now: NOW }).verification.status).toBe('invalid');
    const resigned = resignRequest(req, config, { now: NOW });
    expect(inspectRequest({ ...req, ...resigned }, config, { now: NOW }).verification.status).toBe('valid');
  });
});

describe('Standard Webhooks v1a (Ed25519)', () => {
  it('verifies with the whpk_ public key what the whsk_ key signed', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16);
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    const signer: SecretConfig = {
      provider: 'standard-webhooks',
      privateKey: `whsk_${seed.toString('base64')}`,
    };
    const req = signedRequest('standard-webhooks', signer, NOW);
    expect(req.headers.find(([n]) => n === 'webhook-signature')?.[1]).toMatch(/^v1a,/);
    const verifier: SecretConfig = { publicKey: `whpk_${raw.toString('base64')}` };
    expect(inspectRequest(req, verifier, { now: NOW }).verification.status).toBe('valid');
    const other = generateKeyPairSync('ed25519')
      .publicKey.export({ format: 'der', type: 'spki' })
      .subarray(12);
    const wrong = inspectRequest(req, { publicKey: `whpk_${other.toString('base64')}` }, { now: NOW });
    expect(wrong.verification.status).toBe('invalid');
  });
});
