import { describe, expect, it } from 'vitest';
import { jsonErrorLine } from '../../../main/config/json-error-line';

describe('jsonErrorLine', () => {
  it.each([
    ['{\n  "a": 1,\n  "b": [,\n}', 3],
    ['{\n  "a": 1,\n}\n', 3],
    ['{\n  "a": 1\n  "b": 2\n}', 3],
    ['{\n  "a": tru\n}', 2],
    ['{\n  "a": "unterminated\n}', 2],
    ['{\n  "a": 1\n', 2],
    ['', 1],
    ['{"a": 1}\n\nextra', 3],
    ['{\n "a": "\\q"\n}', 2],
    ['[\n 1,\n -,\n]', 3],
  ])('finds the error in %j on line %i', (text, line) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonErrorLine(text)).toBe(line);
  });
});
