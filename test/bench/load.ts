// A small shared load generator: N concurrent senders, each with its own keep-alive connection,
// posting bodies until a count or a time is reached. Returns every request's latency so callers
// compute the percentiles they need. Reusable by any benchmark that drives an HTTP endpoint.
import { Agent, request } from 'node:http';

export interface LoadOptions {
  /** Full URL to send to. */
  url: string;
  /** Senders in parallel, each over one keep-alive connection; default 20. */
  concurrency?: number;
  /** Stop starting new requests after this long, in ms. */
  durationMs?: number;
  /** Stop after this many requests in total. */
  count?: number;
  method?: string;
  headers?: Record<string, string>;
  /** The body of request number i (0-based, across senders). */
  body(i: number): Uint8Array | string;
  /**
   * Paces the senders to this many requests per second in total: request i starts no earlier than
   * i / ratePerSec s after the start (sooner is never; later when every sender is busy).
   */
  ratePerSec?: number;
  /** Called with each response's status and body. */
  onResponse?(status: number, body: Buffer, i: number): void;
}

export interface LoadResult {
  sent: number;
  /** Responses with a 2xx status. */
  ok: number;
  /** Non-2xx responses and transport errors. */
  failed: number;
  statuses: Map<number | 'error', number>;
  /** One per completed request, in ms. */
  latenciesMs: number[];
  elapsedMs: number;
  /** Completed 2xx requests per second. */
  throughput: number;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  if (o.durationMs === undefined && o.count === undefined)
    throw new Error('runLoad needs durationMs or count');
  const concurrency = o.concurrency ?? 20;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(o.url);
  const statuses = new Map<number | 'error', number>();
  const latenciesMs: number[] = [];
  let next = 0;
  let ok = 0;
  const started = performance.now();
  const deadline = o.durationMs === undefined ? Infinity : started + o.durationMs;
  const more = () => performance.now() < deadline && (o.count === undefined || next < o.count);

  const one = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const body = o.body(i);
      const t0 = performance.now();
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: o.method ?? 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...o.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            latenciesMs.push(performance.now() - t0);
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status >= 200 && status < 300) ok += 1;
            o.onResponse?.(status, Buffer.concat(chunks), i);
            resolve();
          });
        },
      );
      req.on('error', () => {
        statuses.set('error', (statuses.get('error') ?? 0) + 1);
        resolve();
      });
      req.end(body);
    });

  const pace = async (i: number) => {
    const wait = started + (i / o.ratePerSec!) * 1000 - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (more()) {
        const i = next++;
        if (o.ratePerSec) await pace(i); // no extra await per request when not pacing
        await one(i);
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return {
    sent: next,
    ok,
    failed: next - ok,
    statuses,
    latenciesMs,
    elapsedMs,
    throughput: (ok / elapsedMs) * 1000,
  };
}

/** The p-th percentile (0–100) of unsorted values, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}
