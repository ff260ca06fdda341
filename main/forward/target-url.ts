// Where a forwarded request lands: the target base URL joined with the captured path suffix and query.
import { AppError } from '../../common/errors';

/**
 * Joins a target base URL with a request's path suffix and query, without re-encoding either.
 *
 * Rules (target `http://localhost:3000/webhooks?src=relay`, path `/stripe`, query `a=1`
 * → `http://localhost:3000/webhooks/stripe?src=relay&a=1`):
 * - the path suffix is appended to the target's path with exactly one `/` between them
 *   (`/webhooks/` + `/stripe` → `/webhooks/stripe`); a suffix without a leading `/` gets one;
 * - an empty suffix leaves the target's path as written (a trailing `/` on the target stays);
 *   an empty path becomes `/`;
 * - the target's own query parameters come first, then the request's, joined by `&`;
 *   no `?` at all when both are empty;
 * - the target's `#fragment` is dropped (it never reaches a server).
 *
 * @throws AppError('bad_request') when the target is not an absolute http(s) URL.
 */
export function joinTargetUrl(target: string, path: string, query: string): string {
  return resolveTarget(target, path, query).url;
}

/** A joined target split into what the HTTP client needs; `pathAndQuery` is sent as written. */
export interface ResolvedTarget {
  /** The full URL, as recorded on the attempt. */
  url: string;
  protocol: 'http:' | 'https:';
  /** Host name without IPv6 brackets, for the socket. */
  hostname: string;
  /** Port number, or undefined for the protocol's default. */
  port: number | undefined;
  /** `host[:port]` as the `Host` header carries it (default port omitted). */
  host: string;
  /** `protocol//host[:port]`: which connection pool the request goes to. */
  origin: string;
  /** Request target for the request line: `/path?query`. */
  pathAndQuery: string;
}

/** Like {@link joinTargetUrl}, split for the HTTP client. @throws AppError('bad_request') on a bad target. */
export function resolveTarget(target: string, path: string, query: string): ResolvedTarget {
  const base = parsedTarget(target);
  let joined: string;
  if (path === '') joined = base.pathname;
  else joined = base.pathname.replace(/\/+$/, '') + (path.startsWith('/') ? path : '/' + path);
  if (joined === '') joined = '/';
  const targetQuery = base.search.replace(/^\?/, '');
  const reqQuery = query.replace(/^\?/, '');
  const fullQuery = [targetQuery, reqQuery].filter((q) => q !== '').join('&');
  const pathAndQuery = joined + (fullQuery ? '?' + fullQuery : '');
  return {
    url: `${base.protocol}//${base.host}${pathAndQuery}`,
    protocol: base.protocol as 'http:' | 'https:',
    hostname: base.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: base.port ? Number(base.port) : undefined,
    host: base.host,
    origin: base.origin,
    pathAndQuery,
  };
}

/** The same few targets are forwarded to over and over: parse each once (a WHATWG URL parse costs ~10 µs). */
const parsedTargets = new Map<string, Readonly<URL>>();
const MAX_PARSED_TARGETS = 256;

function parsedTarget(target: string): Readonly<URL> {
  let url = parsedTargets.get(target);
  if (!url) {
    url = parseTarget(target);
    if (parsedTargets.size >= MAX_PARSED_TARGETS) parsedTargets.clear();
    parsedTargets.set(target, url);
  }
  return url;
}

/**
 * Parses and checks a target URL.
 * @throws AppError('bad_request') when it is not an absolute http: or https: URL with a host.
 */
export function parseTarget(target: string): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch (e: unknown) {
    throw new AppError(
      'bad_request',
      `Target "${target}" is not a URL (expected e.g. http://localhost:3000/webhooks).`,
      {
        cause: e instanceof Error ? e.message : String(e),
      },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AppError('bad_request', `Target "${target}" must use http: or https:, not ${url.protocol}`);
  }
  if (!url.hostname) throw new AppError('bad_request', `Target "${target}" has no host.`);
  return url;
}
