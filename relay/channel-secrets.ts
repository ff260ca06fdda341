// Ids and tokens for channels and requests. Tokens are shown once, stored only as a SHA-256, and
// compared in constant time so response timing says nothing about a guess.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { asChannelId, asRequestId, type ChannelId, type RequestId } from '../common/ids';

/** 'ch_' + 128 random bits, base64url: unguessable and URL-safe (matches CHANNEL_ID_PATTERN). */
export function newChannelId(): ChannelId {
  return asChannelId('ch_' + randomBytes(16).toString('base64url'));
}

// Request ids are made on the hot path: draw random bytes 256 ids at a time.
const ID_RANDOM_BYTES = 9;
let pool = Buffer.alloc(0);
let poolAt = 0;

/**
 * 'rq_' + the capture time in ms as 12 hex digits + 72 random bits (base64url): unique across channels,
 * the dedupe key downstream. Time first, so ids sort by capture time and each store's unique index on
 * them grows at its end: a batch of inserts dirties a page or two instead of one random page per id.
 */
export function newRequestId(nowMs = Date.now()): RequestId {
  if (poolAt + ID_RANDOM_BYTES > pool.length) {
    pool = randomBytes(ID_RANDOM_BYTES * 256);
    poolAt = 0;
  }
  const random = pool.toString('base64url', poolAt, poolAt + ID_RANDOM_BYTES);
  poolAt += ID_RANDOM_BYTES;
  return asRequestId('rq_' + nowMs.toString(16).padStart(12, '0') + random);
}

/** A subscriber token: 256 random bits, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Constant-time check of a presented token against the stored hash. */
export function tokenMatches(token: string, storedHash: Uint8Array): boolean {
  const presented = hashToken(token);
  return presented.length === storedHash.length && timingSafeEqual(presented, storedHash);
}

/** The token from an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1] : undefined;
}
