// Runs `hookline <command>` as a real child process and reads its NDJSON output line by line, so tests
// can await an event (`ready`, a request, an attempt) instead of sleeping.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/hookline.mjs', import.meta.url));

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  /** Every JSON line printed so far. */
  lines: Array<Record<string, unknown>>;
  /** Resolves with the first line (already printed or still to come) that matches. */
  waitFor(match: (line: Record<string, unknown>) => boolean, what?: string): Promise<Record<string, unknown>>;
  /** Resolves once `count` lines match. */
  waitForCount(
    match: (line: Record<string, unknown>) => boolean,
    count: number,
  ): Promise<Array<Record<string, unknown>>>;
  stderr(): string;
  /** SIGTERM (or the given signal) and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
  const lines: Array<Record<string, unknown>> = [];
  const watchers = new Set<() => void>();
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ type: 'text', text: line });
    }
    for (const w of watchers) w();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);

  function waitForCount(match: (l: Record<string, unknown>) => boolean, count: number, what = 'lines') {
    return new Promise<Array<Record<string, unknown>>>((resolve, reject) => {
      const check = () => {
        const found = lines.filter(match);
        if (found.length >= count) {
          watchers.delete(check);
          resolve(found);
        }
      };
      watchers.add(check);
      void exited.then((code) => {
        if (!watchers.has(check)) return;
        watchers.delete(check);
        reject(
          new Error(`hookline ${args[0]} exited (${code}) before ${count} ${what} arrived; stderr:\n${err}`),
        );
      });
      check();
    });
  }

  return {
    child,
    lines,
    waitFor: async (match, what) => (await waitForCount(match, 1, what))[0]!,
    waitForCount,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs a command to completion; returns its exit code, stdout and stderr. */
export async function runCli(args: string[], input?: string | Uint8Array) {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: 'pipe' });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.end(input);
  const [code] = await once(child, 'exit');
  return {
    code: code as number,
    stdout: Buffer.concat(out).toString(),
    stdoutBytes: Buffer.concat(out),
    stderr: err,
  };
}
