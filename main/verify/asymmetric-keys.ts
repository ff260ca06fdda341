// Turning the key texts users paste (hex, base64 DER, PEM, certificates) into node:crypto key objects.
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { decode } from './crypto-helpers';

/** DER prefixes that wrap a raw 32-byte Ed25519 key (RFC 8410). */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export type KeyResult = { ok: true; key: KeyObject } | { ok: false; reason: string };

function attempt(make: () => KeyObject, reason: string): KeyResult {
  try {
    return { ok: true, key: make() };
  } catch {
    return { ok: false, reason };
  }
}

function isPem(text: string): boolean {
  return /-----BEGIN [A-Z ]+-----/.test(text);
}

/** A PEM public key, a PEM certificate's key, or a base64 DER SubjectPublicKeyInfo. */
export function publicKeyFrom(text: string, what: string): KeyResult {
  const t = text.trim();
  if (t.includes('BEGIN CERTIFICATE')) {
    return attempt(() => new X509Certificate(t).publicKey, `${what} is not a valid PEM certificate`);
  }
  if (isPem(t)) return attempt(() => createPublicKey(t), `${what} is not a valid PEM public key`);
  const der = decode(t, 'base64', what);
  if (!der.ok) return { ok: false, reason: `${what} is neither PEM nor base64 DER` };
  return attempt(
    () => createPublicKey({ key: der.bytes, format: 'der', type: 'spki' }),
    `${what} is not a valid base64 DER public key`,
  );
}

/** A PEM private key (PKCS#8 or traditional). */
export function privateKeyFrom(text: string, what: string): KeyResult {
  return attempt(() => createPrivateKey(text.trim()), `${what} is not a valid PEM private key`);
}

/** An Ed25519 public key from its 32 raw bytes (or PEM). */
export function ed25519PublicKey(raw: Uint8Array): KeyResult {
  if (raw.length !== 32)
    return { ok: false, reason: `Ed25519 public key is ${raw.length} bytes, expected 32` };
  return attempt(
    () => createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' }),
    'not a valid Ed25519 public key',
  );
}

/** An Ed25519 private key from its 32-byte seed, or the 64-byte seed‖public form libsodium uses. */
export function ed25519PrivateKey(raw: Uint8Array): KeyResult {
  if (raw.length !== 32 && raw.length !== 64) {
    return { ok: false, reason: `Ed25519 private key is ${raw.length} bytes, expected 32 or 64` };
  }
  return attempt(
    () =>
      createPrivateKey({
        key: Buffer.concat([ED25519_PKCS8_PREFIX, raw.subarray(0, 32)]),
        format: 'der',
        type: 'pkcs8',
      }),
    'not a valid Ed25519 private key',
  );
}

/** The raw 32 bytes of an Ed25519 public key object. */
export function ed25519Raw(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(ED25519_SPKI_PREFIX.length);
}

/** Any key text for signing: PEM, else an Ed25519 seed in hex. */
export function signingKeyFrom(text: string, what: string): KeyResult {
  const t = text.trim();
  if (isPem(t)) return privateKeyFrom(t, what);
  const hex = decode(t, 'hex', what);
  if (hex.ok) return ed25519PrivateKey(hex.bytes);
  return { ok: false, reason: `${what} is neither PEM nor a hex Ed25519 seed` };
}
