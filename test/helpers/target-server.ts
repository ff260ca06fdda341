// A real HTTP target on port 0 for forward, replay and cURL tests: records every request exactly
// (method, raw URL, raw header pairs, body bytes) and answers as it is told.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RawHeaders } from '../../common/model';
import { pairsFromFlat } from '../../common/model';

/** One request as the target received it. */
export interface RecordedRequest {
  method: string;
  /** The request target exactly as sent: `/path?query`. */
  url: string;
  headers: RawHeaders;
  body: Uint8Array;
}

/** How the target answers. `hang` never answers; `reset` sends a TCP RST after reading the request. */
export type TargetBehaviour =
  | {
      status?: number;
      headers?: RawHeaders;
      body?: string | Uint8Array;
      /** Wait this long before answering, in milliseconds. */
      delayMs?: number;
      /** Send the headers and this many body bytes, then reset the socket. */
      resetAfterBytes?: number;
    }
  | { hang: true }
  | { reset: true };

export interface TargetServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Every request received so far, in arrival order. */
  requests: RecordedRequest[];
  /** Sets the answer for every following request (default 200 'ok'). */
  respondWith(behaviour: TargetBehaviour | ((req: RecordedRequest, index: number) => TargetBehaviour)): void;
  /** Resolves with the `n`th request (0-based) once it has fully arrived. */
  request(n: number): Promise<RecordedRequest>;
  /** Resolves with the first request, already received or still to come, that matches. */
  waitFor(match: (req: RecordedRequest) => boolean): Promise<RecordedRequest>;
  close(): Promise<void>;
}

/** Starts a target on 127.0.0.1, port 0. */
export async function startTargetServer(): Promise<TargetServer> {
  const requests: RecordedRequest[] = [];
  const waiters = new Map<number, Array<(r: RecordedRequest) => void>>();
  const matchers = new Set<(r: RecordedRequest) => void>();
  let behave: (req: RecordedRequest, index: number) => TargetBehaviour = () => ({});

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: pairsFromFlat(req.rawHeaders),
        body: new Uint8Array(Buffer.concat(chunks)),
      };
      const index = requests.push(recorded) - 1;
      for (const w of waiters.get(index) ?? []) w(recorded);
      waiters.delete(index);
      for (const m of matchers) m(recorded);
      answer(behave(recorded, index), res);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    respondWith(b) {
      behave = typeof b === 'function' ? b : () => b;
    },
    request(n) {
      const have = requests[n];
      if (have) return Promise.resolve(have);
      return new Promise((resolve) => waiters.set(n, [...(waiters.get(n) ?? []), resolve]));
    },
    waitFor(match) {
      const have = requests.find(match);
      if (have) return Promise.resolve(have);
      return new Promise((resolve) => {
        const m = (r: RecordedRequest) => {
          if (!match(r)) return;
          matchers.delete(m);
          resolve(r);
        };
        matchers.add(m);
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

function answer(b: TargetBehaviour, res: http.ServerResponse): void {
  if ('hang' in b) return;
  if ('reset' in b) {
    res.socket?.resetAndDestroy();
    return;
  }
  const send = (): void => {
    const body = typeof b.body === 'string' ? Buffer.from(b.body) : Buffer.from(b.body ?? 'ok');
    const headers = b.headers ?? [['Content-Type', 'text/plain']];
    if (b.resetAfterBytes !== undefined) {
      res.writeHead(b.status ?? 200, [...headers.flat(), 'Content-Length', String(body.length)]);
      res.write(body.subarray(0, b.resetAfterBytes), () => res.socket?.resetAndDestroy());
      return;
    }
    res.writeHead(b.status ?? 200, [...headers.flat(), 'Content-Length', String(body.length)]);
    res.end(body);
  };
  if (b.delayMs) setTimeout(send, b.delayMs);
  else send();
}

/** A port that was just free and is now closed: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
