// The stale kept-alive socket: the target closes an idle connection just as the next request is
// written to it. A raw TCP server makes that race happen every time.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asRequestId } from '../../../common/ids';
import { createForwarder } from '../../../main/forward/forwarder';
import type { OutboundRequest } from '../../../main/forward/outbound-request';

const req: OutboundRequest = {
  id: asRequestId('r'),
  method: 'POST',
  path: '',
  query: '',
  headers: [],
  body: new Uint8Array([1]),
};
const ok = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok';

let server: net.Server;
let url: string;
let connections = 0;
beforeAll(async () => {
  // Connection 1 answers its first request, then resets when a second one arrives on it;
  // every later connection answers normally.
  server = net.createServer((socket) => {
    const n = ++connections;
    let requests = 0;
    socket.on('data', (chunk: Buffer) => {
      // Count request lines, not packets: a request's head and body may arrive apart.
      if (!chunk.toString('latin1').startsWith('POST ')) return;
      requests++;
      if (n === 1 && requests > 1) socket.resetAndDestroy();
      else socket.write(ok);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('forwarder on a kept-alive socket', () => {
  it('tries once more on a fresh socket when a reused one is reset before any response', async () => {
    const forwarder = createForwarder();
    try {
      expect((await forwarder.send(req, url)).status).toBe(200);
      // The agent puts the socket back in its free pool a tick after the response ends.
      await new Promise((resolve) => setImmediate(resolve));
      const second = await forwarder.send(req, url);
      expect(second.error).toBeUndefined();
      expect(second.status).toBe(200);
      expect(connections).toBe(2);
    } finally {
      forwarder.close();
    }
  });
});
