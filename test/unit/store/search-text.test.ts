import { describe, expect, it } from 'vitest';
import {
  MAX_INDEXED_BODY_BYTES,
  bodySearchText,
  contentTypeOf,
  headerSearchText,
  isTextualContentType,
} from '../../../main/store/search-text';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('what the full-text index sees', () => {
  it('decodes textual content types, even with invalid bytes', () => {
    const body = new Uint8Array([...utf8('{"a":"caf'), 0xff, ...utf8('"}')]);
    expect(bodySearchText(body, 'application/json; charset=utf-8')).toBe('{"a":"caf\uFFFD"}');
  });

  it('decodes a body of another type only when it is valid UTF-8', () => {
    expect(bodySearchText(utf8('hello there'), 'application/octet-stream')).toBe('hello there');
    expect(bodySearchText(new Uint8Array([0x68, 0xff]), 'application/octet-stream')).toBe('');
    expect(bodySearchText(new Uint8Array([0x68, 0xff]), undefined)).toBe('');
  });

  it('adds the decoded fields of a form body', () => {
    expect(
      bodySearchText(utf8('q=hello%20world&x=a+b&bad=%E0%A4%A'), 'application/x-www-form-urlencoded'),
    ).toBe('q=hello%20world&x=a+b&bad=%E0%A4%A\nq=hello world x=a b bad=%E0%A4%A');
  });

  it('caps the text at 256 KiB without splitting a character', () => {
    const body = utf8('a'.repeat(MAX_INDEXED_BODY_BYTES - 1) + 'é' + 'tail');
    const text = bodySearchText(body, 'application/octet-stream');
    expect(text).toBe('a'.repeat(MAX_INDEXED_BODY_BYTES - 1));
  });

  it('recognises textual types', () => {
    for (const t of [
      'text/plain',
      'application/json',
      'application/vnd.api+json',
      'application/xml',
      'application/x-www-form-urlencoded',
    ])
      expect(isTextualContentType(t)).toBe(true);
    for (const t of ['image/png', 'application/octet-stream', 'multipart/form-data; boundary=x'])
      expect(isTextualContentType(t)).toBe(false);
  });

  it('writes one line per header pair and finds the content type in any case', () => {
    const headers: Array<[string, string]> = [
      ['X-A', '1'],
      ['CONTENT-TYPE', 'text/plain'],
    ];
    expect(headerSearchText(headers)).toBe('X-A: 1\nCONTENT-TYPE: text/plain\n');
    expect(contentTypeOf(headers)).toBe('text/plain');
  });
});
