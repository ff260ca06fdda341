// "Copy as cURL": a POSIX shell command that sends the same request again, byte for byte.
// Bytes a shell argument cannot carry (NUL) or that a terminal could mangle are written as octal
// escapes in a `printf` format and piped to `curl --data-binary @-`; printf's `\ddd` is POSIX,
// unlike `$'…'` and `\xHH`, so the command runs in dash as well as bash and zsh.
import type { RawHeaders } from '../../common/model';
import { endToEndHeaders } from '../forward/outbound-request';

/** What a cURL command needs from a request. */
export interface CurlSource {
  method: string;
  headers: RawHeaders;
  body: Uint8Array;
}

/** Bodies up to this many bytes of plain text go inline as one argument; larger ones through printf. */
const INLINE_BODY_MAX = 64 * 1024;

/** Headers curl adds on its own; an empty `-H 'Name:'` stops it when the request had none. */
const CURL_DEFAULTS = ['User-Agent', 'Accept'];
const CURL_BODY_DEFAULTS = ['Content-Type', 'Expect'];
const BODYLESS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE']);

/**
 * A cURL command line that reproduces `request` against `url` (a full URL, e.g. from joinTargetUrl):
 * same method, header pairs in order with case and duplicates, exact body bytes. Host,
 * Content-Length and hop-by-hop headers are left to curl; headers curl would add on its own
 * (User-Agent, Accept, Content-Type, Expect) are suppressed when the request had none.
 * `--globoff` and `--path-as-is` keep curl from reading `[]{}` as globs or folding `/../`.
 */
export function toCurl(request: CurlSource, url: string): string {
  const headers = endToEndHeaders(request.headers);
  const method = request.method;
  const hasBody =
    request.body.length > 0 ||
    request.headers.some(([n]) => /^(content-length|transfer-encoding)$/i.test(n)) ||
    !BODYLESS.has(method.toUpperCase());
  const isHead = method.toUpperCase() === 'HEAD';
  const args = ['curl', '-sS', '--http1.1', '--globoff', '--path-as-is'];
  // `-X HEAD` would make curl wait for a body that never comes; `--head` knows better.
  args.push(...(isHead ? ['--head'] : ['-X', shellQuote(method)]), shellQuote(url));

  const lines: string[] = [];
  for (const [name, value] of headers) lines.push(`-H ${headerArg(name, value)}`);
  const present = new Set(headers.map(([n]) => n.toLowerCase()));
  const suppress = [...CURL_DEFAULTS, ...(hasBody && !isHead ? CURL_BODY_DEFAULTS : [])];
  for (const name of suppress)
    if (!present.has(name.toLowerCase())) lines.push(`-H ${shellQuote(name + ':')}`);

  let prefix = '';
  if (hasBody && !isHead) {
    if (request.body.length === 0) lines.push(`--data-binary ''`);
    else if (isInlineText(request.body))
      lines.push(`--data-binary ${shellQuote(Buffer.from(request.body).toString('latin1'))}`);
    else {
      prefix = `printf ${printfFormat(request.body)} | `;
      lines.push('--data-binary @-');
    }
  }
  return prefix + [args.join(' '), ...lines].join(' \\\n  ');
}

/** `'…'` with each `'` written as `'\''`: nothing inside single quotes is special to a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * One `-H` argument. An empty value is written `Name;` (curl's way to send an empty header;
 * `Name:` would remove it). A value with bytes outside printable ASCII goes through printf.
 */
function headerArg(name: string, value: string): string {
  const text = value === '' ? `${name};` : `${name}: ${value}`;
  if (/^[\t\x20-\x7e]*$/.test(text)) return shellQuote(text);
  // Header strings hold one byte per char (Node reads them as latin1). $(…) strips trailing
  // newlines, but a header value cannot contain one.
  return `"$(printf ${printfFormat(new Uint8Array(Buffer.from(text, 'latin1')))})"`;
}

/** True for bodies safe as one quoted argument: printable ASCII, tab and LF only, not starting with '@'. */
function isInlineText(body: Uint8Array): boolean {
  if (body.length > INLINE_BODY_MAX || body[0] === 0x40) return false;
  for (const b of body) if (!(b === 0x09 || b === 0x0a || (b >= 0x20 && b <= 0x7e))) return false;
  return true;
}

/**
 * A single-quoted printf format that prints exactly `bytes`: printable ASCII as itself, `%` as `%%`,
 * `\` as `\\`, and every other byte (and `'`) as a three-digit octal escape.
 */
export function printfFormat(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x25) out += '%%';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b <= 0x7e && b !== 0x27) out += String.fromCharCode(b);
    else out += '\\' + b.toString(8).padStart(3, '0');
  }
  return `'${out}'`;
}
