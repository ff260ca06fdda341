// Forwarding to an https target: a self-signed dev server is refused with a readable TLS error unless
// certificate checks are turned off (`--insecure`), and then gets the exact bytes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asRequestId } from '../../../common/ids';
import { createForwarder } from '../../../main/forward/forwarder';

/** A fresh self-signed certificate for localhost, made with the system's openssl. */
function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-tls-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

describe('forwarding to an https target', () => {
  let server: Server;
  let url: string;
  const received: Buffer[] = [];

  beforeAll(async () => {
    server = createServer(selfSigned(), (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(Buffer.concat(chunks));
        res.writeHead(201, { 'content-type': 'text/plain' });
        res.end('secure ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const request = {
    id: asRequestId('rq_tls'),
    method: 'POST',
    path: '/x',
    query: '',
    headers: [['Content-Type', 'application/octet-stream']] as Array<[string, string]>,
    body: new Uint8Array([0, 0xff, 0x7b, 0x0a]),
  };

  it('records a self-signed certificate as a TLS error by default', async () => {
    const forwarder = createForwarder();
    try {
      const attempt = await forwarder.send(request, url);
      expect(attempt.status).toBeUndefined();
      expect(attempt.error?.code).toMatch(/SELF_SIGNED|CERT/);
      expect(attempt.error?.message).toMatch(/^TLS with 127\.0\.0\.1:\d+ failed/);
    } finally {
      forwarder.close();
    }
  });

  it('sends the exact bytes when certificate checks are off', async () => {
    const forwarder = createForwarder({ rejectUnauthorized: false });
    try {
      const attempt = await forwarder.send(request, url);
      expect(attempt.status).toBe(201);
      expect(Buffer.from(attempt.responseBody!).toString()).toBe('secure ok');
      expect([...received.at(-1)!]).toEqual([...request.body]);
    } finally {
      forwarder.close();
    }
  });
});
