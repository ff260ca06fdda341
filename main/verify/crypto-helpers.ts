// Byte-level helpers for signature schemes: HMAC, strict decoding that explains itself, constant-time compare.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type Bytes = Uint8Array;
export type Encoding = 'hex' | 'base64' | 'base64url';

const encoder = new TextEncoder();

/** UTF-8 bytes of a string, or the bytes themselves. */
export function toBytes(part: string | Uint8Array): Uint8Array {
  return typeof part === 'string' ? encoder.encode(part) : part;
}

/** Concatenates strings (as UTF-8) and byte arrays, for the exact signed content. */
export function concatBytes(...parts: Array<string | Uint8Array>): Buffer {
  return Buffer.concat(parts.map((p) => toBytes(p)));
}

export function hmac(
  algorithm: string,
  key: string | Uint8Array,
  ...parts: Array<string | Uint8Array>
): Buffer {
  const mac = createHmac(algorithm, key);
  for (const p of parts) mac.update(toBytes(p));
  return mac.digest();
}

export function digest(algorithm: string, ...parts: Array<string | Uint8Array>): Buffer {
  const hash = createHash(algorithm);
  for (const p of parts) hash.update(toBytes(p));
  return hash.digest();
}

export function encode(bytes: Uint8Array, encoding: Encoding): string {
  return Buffer.from(bytes).toString(encoding);
}

export type Decoded = { ok: true; bytes: Buffer } | { ok: false; reason: string };

const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** Strict decoding: Buffer.from silently drops bad characters, which would hide a garbled header. */
export function decode(text: string, encoding: Encoding, what = 'signature'): Decoded {
  const t = text.trim();
  if (t === '') return { ok: false, reason: `${what} is empty` };
  if (encoding === 'hex') {
    if (!HEX.test(t)) {
      return { ok: false, reason: `${what} is not valid hex${t.length % 2 === 1 ? ' (odd length)' : ''}` };
    }
    return { ok: true, bytes: Buffer.from(t, 'hex') };
  }
  const re = encoding === 'base64' ? BASE64 : BASE64URL;
  if (!re.test(t) || t.replace(/=+$/, '').length % 4 === 1) {
    return { ok: false, reason: `${what} is not valid ${encoding}` };
  }
  return { ok: true, bytes: Buffer.from(t, encoding) };
}

/** Constant-time equality of two byte strings; a length difference returns false without comparing. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** Constant-time equality of two strings (tokens), comparing their SHA-256 so lengths leak nothing. */
export function tokensEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest('sha256', a), digest('sha256', b));
}

export type CandidateCheck =
  { ok: true } | { ok: false; reason: string; code: 'signature-mismatch' | 'malformed-header' };

/**
 * Compares an expected MAC with every candidate signature (key rotation sends several). Decoding failures
 * and length mismatches are reported only when no candidate matched, so one garbled extra does not hide a
 * good one.
 */
export function matchAny(
  expected: Uint8Array,
  candidates: string[],
  encoding: Encoding,
  what: string,
): CandidateCheck {
  let firstProblem: CandidateCheck | undefined;
  for (const c of candidates) {
    const d = decode(c, encoding, what);
    if (!d.ok) {
      firstProblem ??= { ok: false, reason: d.reason, code: 'malformed-header' };
      continue;
    }
    if (d.bytes.length !== expected.length) {
      firstProblem ??= {
        ok: false,
        reason: `${what} is ${d.bytes.length} bytes, expected ${expected.length} (truncated or wrong algorithm?)`,
        code: 'malformed-header',
      };
      continue;
    }
    if (bytesEqual(d.bytes, expected)) return { ok: true };
  }
  if (candidates.length === 0) return { ok: false, reason: `no ${what} found`, code: 'malformed-header' };
  return (
    firstProblem ?? {
      ok: false,
      reason: `${what} mismatch: the body or the secret differs from what was signed`,
      code: 'signature-mismatch',
    }
  );
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE) as an unsigned integer; PayPal signs it in decimal. */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
