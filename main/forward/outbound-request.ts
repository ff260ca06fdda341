// What the forwarder sends: a captured request reduced to the parts that travel to a target.
// Kept apart from CapturedRequest so a replay edit can change method, path, query, headers and body
// without pretending the result was captured.
import type { RequestId } from '../../common/ids';
import type { CapturedRequest, RawHeaders } from '../../common/model';

/** One request on its way to a target. The body is sent as these exact bytes. */
export interface OutboundRequest {
  /** The captured request this came from; replays name it in `X-Hookline-Replay`. */
  id: RequestId;
  method: string;
  /** Path suffix appended to the target's path: '' or '/…' (raw, still percent-encoded). */
  path: string;
  /** Raw query string without the leading '?', '' when none. */
  query: string;
  headers: RawHeaders;
  body: Uint8Array;
}

/** The outbound view of a captured (or stored) request, with its own copy of the header pairs. */
export function toOutbound(req: CapturedRequest): OutboundRequest {
  return {
    id: req.id,
    method: req.method,
    path: req.path,
    query: req.query,
    headers: req.headers.map(([n, v]) => [n, v]),
    body: req.body,
  };
}

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, so they are never forwarded.
 * `Host` and `Content-Length` are not hop-by-hop but are rewritten for the new hop, so they are
 * listed separately in {@link REWRITTEN_HEADERS}.
 */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Headers the sender of the new hop computes itself. */
export const REWRITTEN_HEADERS: ReadonlySet<string> = new Set(['host', 'content-length']);

/**
 * True when `name` must not cross to the next hop: the fixed hop-by-hop set, any `Proxy-*` header,
 * or a header the request's own `Connection` header names (RFC 9110 §7.6.1).
 */
export function isHopByHop(name: string, connectionTokens: ReadonlySet<string>): boolean {
  const lower = name.toLowerCase();
  return HOP_BY_HOP_HEADERS.has(lower) || lower.startsWith('proxy-') || connectionTokens.has(lower);
}

/** Lower-cased header names listed in every `Connection` header, e.g. `Connection: close, X-Foo`. */
export function connectionTokens(headers: RawHeaders): Set<string> {
  const tokens = new Set<string>();
  for (const [n, v] of headers) {
    if (n.toLowerCase() !== 'connection') continue;
    for (const t of v.split(',')) {
      const token = t.trim().toLowerCase();
      if (token) tokens.add(token);
    }
  }
  return tokens;
}

/** The headers that may travel end to end: hop-by-hop and rewritten ones removed, order kept. */
export function endToEndHeaders(headers: RawHeaders): RawHeaders {
  const tokens = connectionTokens(headers);
  return headers.filter(([n]) => !isHopByHop(n, tokens) && !REWRITTEN_HEADERS.has(n.toLowerCase()));
}

/**
 * Sets `extra` over `headers`: each extra name replaces every same-named header (case-insensitive)
 * at the position of the first one; names not present are appended, in the order given.
 * Several extras with one name are all kept there, so duplicates can be set on purpose.
 */
export function overlayHeaders(headers: RawHeaders, extra: RawHeaders): RawHeaders {
  const byName = new Map<string, RawHeaders>();
  for (const [n, v] of extra) {
    const key = n.toLowerCase();
    const list = byName.get(key) ?? [];
    list.push([n, v]);
    byName.set(key, list);
  }
  const out: RawHeaders = [];
  const placed = new Set<string>();
  for (const pair of headers) {
    const key = pair[0].toLowerCase();
    const replacement = byName.get(key);
    if (!replacement) out.push(pair);
    else if (!placed.has(key)) {
      out.push(...replacement);
      placed.add(key);
    }
  }
  for (const [key, list] of byName) if (!placed.has(key)) out.push(...list);
  return out;
}
