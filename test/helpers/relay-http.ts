// Sends one HTTP request with full control over the bytes: header pairs in order with their case
// and duplicates, a raw path and query, an exact body. fetch() would normalise headers.
import { request, Agent } from 'node:http';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Flat [name, value, …] as received. */
  rawHeaders: string[];
  body: Buffer;
}

export interface RawRequest {
  method?: string;
  /** Header pairs in order; names keep their case. */
  headers?: Array<[string, string]>;
  body?: Uint8Array | string;
  agent?: Agent;
}

export function send(url: string, r: RawRequest = {}): Promise<RawResponse> {
  const u = new URL(url);
  // With headers given as a raw array, Node adds no Host header of its own.
  const flat: string[] = (r.headers ?? []).some(([n]) => n.toLowerCase() === 'host') ? [] : ['Host', u.host];
  for (const [n, v] of r.headers ?? []) flat.push(n, v);
  const body = typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : r.body;
  if (body && !(r.headers ?? []).some(([n]) => n.toLowerCase() === 'content-length'))
    flat.push('Content-Length', String(body.byteLength));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: r.method ?? 'POST',
        // The path exactly as given: URL would re-encode it.
        path: url.slice(url.indexOf('/', u.protocol.length + 2)),
        headers: flat as unknown as Record<string, string>,
        agent: r.agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The JSON body of a response. */
export function json(res: RawResponse): Record<string, unknown> {
  return JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
}
