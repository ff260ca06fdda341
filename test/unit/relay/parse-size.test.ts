import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize } from '../../../relay/parse-size';

describe('parseSize', () => {
  it('reads binary units, case-insensitive, and plain bytes', () => {
    expect(parseSize('25mb')).toBe(25 * 1024 * 1024);
    expect(parseSize('512KB')).toBe(512 * 1024);
    expect(parseSize('1.5g')).toBe(1.5 * 1024 ** 3);
    expect(parseSize('1048576')).toBe(1048576);
  });
  it('refuses what it cannot read, naming the input', () => {
    expect(() => parseSize('lots')).toThrow(/'lots' is not a size/);
    expect(() => parseSize('10 parsecs')).toThrow(RangeError);
  });
});

describe('parseDuration', () => {
  it('reads ms, s, m, h and d into milliseconds', () => {
    expect(parseDuration('72h')).toBe(72 * 3_600_000);
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('250')).toBe(250);
  });
  it('refuses what it cannot read', () => {
    expect(() => parseDuration('soon')).toThrow(/'soon' is not a duration/);
  });
});
