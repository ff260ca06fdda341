import { describe, expect, it } from 'vitest';
import { answerChallenge, resolveProviderId } from '../../../main/verify';
import type { SecretConfig } from '../../../main/verify/types';
import { loadChallenges, pairs, requestOf, type ChallengeFixture } from './load-fixtures';

const NOW = 1_700_000_000;
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function configOf(c: ChallengeFixture, forced: boolean): SecretConfig {
  const config: SecretConfig = {};
  if (forced) config.provider = resolveProviderId(c.provider);
  if (c.secret) config.secret = c.secret;
  if (c.verify_token) config.verifyToken = c.verify_token;
  return config;
}

function requestFor(c: ChallengeFixture) {
  return requestOf(c.request.method, c.request.url, pairs(c.request.headers), c.request.body);
}

describe('challenge handshakes', () => {
  for (const c of loadChallenges()) {
    for (const forced of [true, false]) {
      it(`${c.id} gets the expected answer (${forced ? 'provider set' : 'detected'})`, () => {
        const answer = answerChallenge(requestFor(c), configOf(c, forced), { now: NOW });
        expect(answer).toBeDefined();
        const want = c.expected_response;
        expect(answer!.status).toBe(want.status);
        if (want.body !== undefined) expect(text(answer!.body)).toBe(want.body);
        if (want.json_body !== undefined) expect(JSON.parse(text(answer!.body))).toEqual(want.json_body);
        const type = answer!.headers.find(([n]) => n.toLowerCase() === 'content-type')?.[1];
        if (want.content_type) expect(want.content_type).toContain(type!.split(';')[0]);
        for (const [name, value] of Object.entries(want.extra_headers ?? {})) {
          expect(answer!.headers).toContainEqual([name, value]);
        }
      });
    }
  }

  it('answers a Meta challenge with a wrong verify token with 403', () => {
    const c = loadChallenges().find((x) => x.provider === 'meta')!;
    const answer = answerChallenge(requestFor(c), { verifyToken: 'something-else' }, { now: NOW });
    expect(answer?.status).toBe(c.on_token_mismatch!.status);
  });

  it('answers a Discord PING with a bad signature with 401', () => {
    const c = loadChallenges().find((x) => x.provider === 'discord')!;
    const req = requestFor(c);
    req.body = new TextEncoder().encode(c.request.body.replace('"version":1', '"version":2'));
    expect(answerChallenge(req, { secret: c.secret }, { now: NOW })?.status).toBe(401);
  });

  it('does not answer a Zoom validation without the secret token', () => {
    const c = loadChallenges().find((x) => x.provider === 'zoom')!;
    expect(answerChallenge(requestFor(c), {}, { now: NOW })).toBeUndefined();
  });

  it('does not answer a Twitch verification whose signature is wrong', () => {
    const c = loadChallenges().find((x) => x.provider === 'twitch')!;
    expect(answerChallenge(requestFor(c), { secret: 'another-secret' }, { now: NOW })).toBeUndefined();
  });

  it('answers handshakes signed long ago: only the signature is checked', () => {
    const c = loadChallenges().find((x) => x.provider === 'twitch')!;
    expect(answerChallenge(requestFor(c), { secret: c.secret }, { now: NOW + 86_400 })?.status).toBe(200);
  });

  it('does not answer an ordinary webhook', () => {
    const req = requestOf(
      'POST',
      '/hook',
      [['Content-Type', 'application/json']],
      '{"type":"event_callback"}',
    );
    expect(answerChallenge(req, {}, { now: NOW })).toBeUndefined();
  });
});
