// Loads the shared signature fixtures: ../shared/fixtures beside the clone (CI), else test/fixtures.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawHeaders } from '../../../common/model';
import type { VerifiableRequest } from '../../../main/verify/types';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function fixturePath(name: string): string {
  const shared = resolve(repoRoot, '../shared/fixtures', name);
  return existsSync(shared) ? shared : resolve(repoRoot, 'test/fixtures', name);
}

export interface SignatureVector {
  id: string;
  provider: string;
  secret: string;
  secret_kind?: string;
  headers: Record<string, string>;
  body: string;
  url_if_needed: string | null;
  method?: string;
  webhook_id?: string;
  scheme?: string;
  now_unix: number;
  expected: 'valid' | 'invalid';
}

export interface ChallengeFixture {
  id: string;
  provider: string;
  secret?: string;
  verify_token?: string;
  request: { method: string; url?: string; headers: Record<string, string>; body: string };
  expected_response: {
    status: number;
    content_type?: string;
    body?: string;
    json_body?: unknown;
    alt_json_body?: unknown;
    extra_headers?: Record<string, string>;
  };
  on_token_mismatch?: { status: number };
}

export function loadVectors(): SignatureVector[] {
  return JSON.parse(readFileSync(fixturePath('signature-vectors.json'), 'utf8')) as SignatureVector[];
}

export function loadChallenges(): ChallengeFixture[] {
  return JSON.parse(readFileSync(fixturePath('challenges.json'), 'utf8')) as ChallengeFixture[];
}

export function pairs(headers: Record<string, string>): RawHeaders {
  return Object.entries(headers);
}

/** A request from a fixture's parts; `url` may be a full URL or a path with a query. */
export function requestOf(
  method: string,
  url: string | undefined | null,
  headers: RawHeaders,
  body: string,
): VerifiableRequest {
  const parsed = new URL(url ?? '/', 'https://hooks.example.test');
  return {
    method,
    url: url && /^https?:/.test(url) ? url : undefined,
    path: parsed.pathname,
    query: parsed.search.replace(/^\?/, ''),
    headers,
    body: new TextEncoder().encode(body),
  };
}
