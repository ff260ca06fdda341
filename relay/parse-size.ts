// Human-friendly sizes and durations for the CLI layer and env vars: '25mb', '512kb', '72h', '15s'.

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1024,
  k: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  g: 1024 ** 3,
  gib: 1024 ** 3,
};

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses a byte size: a plain number is bytes; units kb/mb/gb are binary (1 kb = 1024 bytes), so
 * '25mb' = 26,214,400 bytes. Throws a RangeError naming the input when it cannot be read.
 */
export function parseSize(input: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  const factor = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || factor === undefined) throw new RangeError(`'${input}' is not a size (try 25mb, 512kb, 1048576)`);
  return Math.floor(Number(m[1]) * factor);
}

/**
 * Parses a duration into milliseconds: '72h', '15s', '500ms', '7d', '30m'. A plain number is
 * milliseconds. Throws a RangeError naming the input when it cannot be read.
 */
export function parseDuration(input: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  const unit = m ? m[2]!.toLowerCase() || 'ms' : '';
  const factor = DURATION_UNITS[unit];
  if (!m || factor === undefined) throw new RangeError(`'${input}' is not a duration (try 72h, 30m, 15s)`);
  return Math.floor(Number(m[1]) * factor);
}
