// Runs the relay as a child process the way a user would (`hookline relay --json`), for tests
// that need a real SIGKILL or SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';

export interface RelayProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Every stdout line after the ready line. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const BIN = resolve(import.meta.dirname, '../../bin/hookline.mjs');

export async function spawnRelay(dataDir: string, extraArgs: string[] = []): Promise<RelayProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'relay', '--port', '0', '--data-dir', dataDir, '--json', ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal })),
  );
  const lines: string[] = [];
  const rl = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ url: string; port: number }>((res, rej) => {
    rl.on('line', (line) => {
      const msg = JSON.parse(line) as { type: string; url: string; port: number };
      if (msg.type === 'ready') res(msg);
      else lines.push(line);
    });
    void exited.then(({ code }) => rej(new Error(`relay exited with ${code} before ready: ${stderr}`)));
  });
  return { child, url: ready.url, port: ready.port, lines, exited };
}
