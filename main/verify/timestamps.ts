// Parsing sender timestamps and checking them against a tolerance, with reasons a user can act on.

/** Above this a "seconds" value is really milliseconds (1e11 s is the year 5138). */
const MS_THRESHOLD = 1e11;

export type ParsedTime = { ok: true; seconds: number } | { ok: false; reason: string };

/** A unix time in whole seconds, as most schemes send it; notices milliseconds sent by mistake. */
export function parseUnixSeconds(raw: string | undefined, what: string): ParsedTime {
  if (raw === undefined) return { ok: false, reason: `missing ${what}` };
  const t = raw.trim();
  if (!/^\d+$/.test(t)) return { ok: false, reason: `${what} '${clip(t)}' is not a unix time in seconds` };
  const n = Number(t);
  if (n > MS_THRESHOLD) {
    return { ok: false, reason: `${what} ${t} looks like milliseconds; seconds are expected` };
  }
  return { ok: true, seconds: n };
}

/** A unix time in milliseconds (HubSpot v3, Linear); notices seconds sent by mistake. Returns seconds. */
export function parseUnixMillis(raw: string | number | undefined, what: string): ParsedTime {
  if (raw === undefined) return { ok: false, reason: `missing ${what}` };
  const t = String(raw).trim();
  if (!/^\d+$/.test(t))
    return { ok: false, reason: `${what} '${clip(t)}' is not a unix time in milliseconds` };
  const n = Number(t);
  if (n < MS_THRESHOLD) {
    return { ok: false, reason: `${what} ${t} looks like seconds; milliseconds are expected` };
  }
  return { ok: true, seconds: n / 1000 };
}

/** An RFC 3339 time such as Twitch's `2023-11-14T22:13:20.123456789Z` (nanoseconds are cut to ms). */
export function parseRfc3339(raw: string | undefined, what: string): ParsedTime {
  if (raw === undefined) return { ok: false, reason: `missing ${what}` };
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.exec(raw.trim());
  if (!m) return { ok: false, reason: `${what} '${clip(raw)}' is not an RFC 3339 time` };
  const frac = m[2] ? m[2].slice(0, 4) : '';
  const ms = Date.parse(`${m[1]}${frac}${m[3]}`);
  if (Number.isNaN(ms)) return { ok: false, reason: `${what} '${clip(raw)}' is not a valid time` };
  return { ok: true, seconds: ms / 1000 };
}

/**
 * Checks a signed time against now. 'age' rejects only times too far in the past (Stripe, Paddle);
 * 'both' also rejects times too far in the future. A tolerance of 0 skips the check.
 */
export function checkTolerance(
  signedAt: number,
  now: number,
  toleranceSec: number,
  mode: 'age' | 'both',
): string | undefined {
  if (!(toleranceSec > 0)) return undefined;
  const age = now - signedAt;
  if (age > toleranceSec) {
    return `timestamp is ${fmt(age)} s old, outside the ${toleranceSec} s tolerance by ${fmt(age - toleranceSec)} s`;
  }
  if (mode === 'both' && -age > toleranceSec) {
    return `timestamp is ${fmt(-age)} s in the future, outside the ${toleranceSec} s tolerance by ${fmt(-age - toleranceSec)} s`;
  }
  return undefined;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(3);
}

/** Shortens a garbage value for a reason string. */
export function clip(s: string, max = 40): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
