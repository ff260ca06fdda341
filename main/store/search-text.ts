// What the full-text index sees of a request: its path and query, its header lines, and its body as text
// when the body is text. Binary bodies are not indexed: decoding them would fill the index with noise.
import type { RawHeaders } from '../../common/model';

/** Bodies are indexed up to this many bytes (256 KiB); a longer body is searchable by its start only. */
export const MAX_INDEXED_BODY_BYTES = 256 * 1024;

const TEXTUAL_TYPE =
  /^(text\/|application\/(json|[\w.+-]*\+json|xml|[\w.+-]*\+xml|x-www-form-urlencoded|javascript|graphql|x-ndjson|yaml|x-yaml|csv))/i;

const FORM_TYPE = /^\s*application\/x-www-form-urlencoded/i;

const lossy = new TextDecoder('utf-8');
const strict = new TextDecoder('utf-8', { fatal: true });

/** True for content types whose bodies are text whatever their bytes (JSON, XML, forms, text/*). */
export function isTextualContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXTUAL_TYPE.test(contentType.trim());
}

/**
 * The body as text for the index, or '' when it is binary. Textual content types are decoded as UTF-8
 * with replacement characters; any other body only when its bytes are valid UTF-8.
 */
export function bodySearchText(body: Uint8Array, contentType: string | undefined): string {
  if (body.length === 0) return '';
  const bytes = body.length > MAX_INDEXED_BODY_BYTES ? cutAtCharBoundary(body, MAX_INDEXED_BODY_BYTES) : body;
  if (isTextualContentType(contentType)) {
    const text = lossy.decode(bytes);
    return FORM_TYPE.test(contentType ?? '') ? `${text}\n${formDecoded(text)}` : text;
  }
  try {
    return strict.decode(bytes);
  } catch {
    return '';
  }
}

/**
 * A form body with its percent-escapes and '+' decoded, so `q=hello%20world` is found by 'world' (as raw
 * text the tokenizer would see '20world'). A malformed escape leaves that field raw.
 */
function formDecoded(text: string): string {
  return text
    .split('&')
    .map((field) => {
      const spaced = field.replace(/\+/g, ' ');
      try {
        return decodeURIComponent(spaced);
      } catch {
        return spaced;
      }
    })
    .join(' ');
}

/** One `name: value` line per header pair, so `header:` filters and bare words can find names and values. */
export function headerSearchText(headers: RawHeaders): string {
  let text = '';
  for (const [name, value] of headers) text += `${name}: ${value}\n`;
  return text;
}

/** The path and query as one searchable string. */
export function pathSearchText(path: string, query: string): string {
  return query ? `${path}?${query}` : path;
}

/**
 * The first `max` bytes or fewer, ending before a UTF-8 sequence the cut would split, so that a valid UTF-8
 * body stays valid after the cap.
 */
function cutAtCharBoundary(bytes: Uint8Array, max: number): Uint8Array {
  let end = max;
  // Step back over continuation bytes (10xxxxxx), at most 3, to the lead byte of the split sequence.
  for (let back = 0; back < 3 && end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80; back++) end--;
  return bytes.subarray(0, end);
}

/** The `content-type` header's value (first one), or undefined. */
export function contentTypeOf(headers: RawHeaders): string | undefined {
  for (const [name, value] of headers)
    if (name.length === 12 && name.toLowerCase() === 'content-type') return value;
  return undefined;
}
