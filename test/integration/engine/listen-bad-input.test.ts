// Every bad input gets one clear message naming what to do, and nothing stored is lost.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { runCli, startCli } from '../../helpers/cli-process';
import { closedPort } from '../../helpers/target-server';

const tmp = () => mkdtempSync(join(tmpdir(), 'hookline-bad-'));

describe('listen and the history commands on bad input', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  it('names an unreachable relay and says what to do', async () => {
    const res = await runCli([
      'listen',
      '--relay',
      `http://127.0.0.1:${await closedPort()}`,
      '--data-dir',
      tmp(),
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/cannot reach the relay at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('refuses a config file that is not JSON and leaves it untouched', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'config.json'), '{ "channels": [ oops');
    const res = await runCli(['listen', '--data-dir', dir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('config.json');
    expect(res.stderr).toMatch(/not valid JSON/);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{ "channels": [ oops');
  });

  it('says a history file is not a Hookline database instead of crashing', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'history.db'), 'this is not sqlite at all, just text '.repeat(200));
    const res = await runCli(['requests', 'list', '--data-dir', dir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('history.db');
    expect(res.stderr).not.toContain('    at ');
  });

  it('rejects a forward target that is not a URL as bad usage', async () => {
    const res = await runCli(['listen', '--forward', 'localhost:3000', '--data-dir', tmp()]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--forward must be');
  });

  it('stops with a clear message when the relay speaks another protocol version', async () => {
    const server = createServer((req, res) => {
      const port = (server.address() as AddressInfo).port;
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'ch_future', url: `http://127.0.0.1:${port}/h/ch_future`, token: 't' }));
    });
    const wss = new WebSocketServer({ server });
    wss.on('connection', (ws) => {
      ws.once('message', () => {
        ws.send(
          JSON.stringify({ type: 'error', code: 'unsupported_version', message: 'relay speaks protocol 99' }),
        );
        ws.close(4005, 'unsupported protocol version');
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const relay = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const listen = startCli(['listen', '--relay', relay, '--data-dir', tmp(), '--json']);
    const code = await new Promise<number | null>((r) => listen.child.once('exit', r));
    expect(code).toBe(1);
    expect(listen.stderr()).toMatch(/protocol 99.*update Hookline or the relay/);
  });
});
