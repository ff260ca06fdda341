// `npm run bench`: relay + app end to end (sender → relay → app → local target) against a bare Node
// reverse proxy (sender → proxy → target, one buffered hop, keep-alive), driven by the same load
// generator in the same run (DESIGN.md, Targets: ≥ 0.9× the proxy's throughput, p99 sender→target
// ≤ 50 ms, nothing lost, nothing forwarded twice). Relay and app run as the real CLI commands, each in
// its own process; the proxy and the target each in their own process too. Rounds alternate; medians.
//
//   node bin/run-ts.mjs test/bench/pipe-bench.ts [--rounds 5] [--count 8000] [--concurrency 20] [--forward-concurrency 1] [--mode ack|wait]
//     [--embedded] [--cpu-prof DIR: write V8 CPU profiles of the relay and listen processes there]
//     [--rate N: the steady rate for the latency rounds; default 60% of the slower one's throughput]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median, percentile, runLoad } from './load';

const BODY_BYTES = 1024;
const now = () => performance.timeOrigin + performance.now();
const BIN = fileURLToPath(new URL('../../bin/hookline.mjs', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const RUN_TS = fileURLToPath(new URL('../../bin/run-ts.mjs', import.meta.url));

if (process.argv[2] === '--serve') await serve(process.argv[3]!, process.argv[4]);
else await bench();

/** Child mode: a target that records arrivals, or the bare proxy in front of it. */
async function serve(kind: string, targetUrl?: string): Promise<void> {
  let arrivals: Array<{ i: number; latencyMs: number; at: number }> = [];
  const server =
    kind === 'target'
      ? createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => {
            const { i, t } = JSON.parse(
              Buffer.concat(chunks).subarray(0, 64).toString().split(',"pad"')[0] + '}',
            ) as {
              i: number;
              t: number;
            };
            const at = now();
            arrivals.push({ i, latencyMs: at - t, at });
            res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
            res.end('ok');
          });
        })
      : createProxy(targetUrl!);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(JSON.stringify({ port: (server.address() as { port: number }).port }) + '\n');
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'reset') arrivals = [];
    const ids = arrivals.map((a) => a.i);
    process.stdout.write(
      JSON.stringify({
        received: arrivals.length,
        distinct: new Set(ids).size,
        lastAt: arrivals.length ? Math.max(...arrivals.map((a) => a.at)) : 0,
        latencies: line === 'stats' ? arrivals.map((a) => a.latencyMs) : [],
      }) + '\n',
    );
  });
  process.stdin.on('end', () => process.exit(0));
}

/** The reference: buffer the request, send it on over keep-alive, buffer the answer, send it back. */
function createProxy(targetUrl: string) {
  const target = new URL(targetUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers, host: target.host, 'content-length': String(body.length) };
      delete headers.connection;
      const up = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
        (r) => {
          const parts: Buffer[] = [];
          r.on('data', (c: Buffer) => parts.push(c));
          r.on('end', () => {
            const out = Buffer.concat(parts);
            res.writeHead(r.statusCode ?? 502, {
              'content-type': r.headers['content-type'] ?? 'text/plain',
              'content-length': out.length,
            });
            res.end(out);
          });
        },
      );
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      up.end(body);
    });
  });
}

interface Proc {
  child: ChildProcess;
  next(): Promise<Record<string, unknown>>;
  ask(line: string): Promise<Record<string, unknown>>;
}

function start(command: string, args: string[]): Proc {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const queue: Array<Record<string, unknown>> = [];
  const waiting: Array<(v: Record<string, unknown>) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const w = waiting.shift();
    if (w) w(msg);
    else queue.push(msg);
  });
  const next = () => {
    const have = queue.shift();
    return have
      ? Promise.resolve(have)
      : new Promise<Record<string, unknown>>((resolve) => waiting.push(resolve));
  };
  return {
    child,
    next,
    ask: (line) => {
      child.stdin!.write(line + '\n');
      return next();
    },
  };
}

/** CPU time a process has used, in µs (Linux /proc: utime + stime, in clock ticks of 10 ms). */
function cpuMicros(pid: number | undefined): number {
  if (!pid) return 0;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

interface Round {
  throughput: number;
  /** CPU per request delivered, in µs, of the app and of the relay process. */
  appCpu: number;
  relayCpu: number;
  p50: number;
  p99: number;
  lost: number;
  duplicates: number;
}

async function bench(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string' },
      count: { type: 'string' },
      concurrency: { type: 'string' },
      'forward-concurrency': { type: 'string' },
      mode: { type: 'string' },
      rate: { type: 'string' },
      embedded: { type: 'boolean' },
      'cpu-prof': { type: 'string' },
    },
  });
  const rounds = Number(values.rounds ?? 5);
  const count = Number(values.count ?? 8000);
  const concurrency = Number(values.concurrency ?? 20);
  // 1 keeps the target's order strictly (the default of `listen`); more lets forwards overlap.
  const forwardConcurrency = Number(values['forward-concurrency'] ?? 1);
  // ack: the relay answers once stored (the default); wait: once the target has answered, like a proxy.
  const mode = values.mode ?? 'ack';
  const profile = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];
  const dirs = [
    mkdtempSync(join(tmpdir(), 'hookline-bench-relay-')),
    mkdtempSync(join(tmpdir(), 'hookline-bench-app-')),
  ];

  const target = start(process.execPath, [RUN_TS, SELF, '--serve', 'target']);
  const targetUrl = `http://127.0.0.1:${(await target.next()).port}`;
  const proxy = start(process.execPath, [RUN_TS, SELF, '--serve', 'proxy', targetUrl]);
  const proxyUrl = `http://127.0.0.1:${(await proxy.next()).port}/`;
  // --embedded: the app's own relay, in its process (`listen` without --relay), instead of `hookline relay`.
  const relay = values.embedded
    ? undefined
    : start(process.execPath, [
        ...profile,
        BIN,
        'relay',
        '--port',
        '0',
        '--data-dir',
        dirs[0]!,
        '--json',
        '--rate-limit',
        '0',
      ]);
  const relayArgs = relay ? ['--relay', (await relay.next()).url as string] : [];
  const app = start(process.execPath, [
    ...profile,
    BIN,
    'listen',
    ...relayArgs,
    '--data-dir',
    dirs[1]!,
    '--forward',
    targetUrl,
    '--json',
    '--quiet',
    '--concurrency',
    String(forwardConcurrency),
    '--response-mode',
    mode,
  ]);
  const channelUrl = (await app.next()).url as string;

  const pad = 'x'.repeat(BODY_BYTES);
  const body = (i: number) => {
    const head = `{"i":${i},"t":${now()}`;
    return `${head},"pad":"${pad.slice(0, BODY_BYTES - head.length - 10)}"}`;
  };

  async function round(url: string, settle: boolean, ratePerSec?: number): Promise<Round> {
    await target.ask('reset');
    const cpu0 = [cpuMicros(app.child.pid), cpuMicros(relay?.child.pid)];
    const startedAt = now();
    const load = await runLoad({ url, count, concurrency, body, ...(ratePerSec ? { ratePerSec } : {}) });
    if (load.ok < load.sent)
      console.error(
        `  ${load.sent - load.ok} of ${load.sent} refused: ${JSON.stringify([...load.statuses])}`,
      );
    // The pipe answers the sender once stored; wait until the target has every accepted request.
    let s = await target.ask('count');
    const deadline = Date.now() + 60_000;
    while (settle && (s.distinct as number) < load.ok && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      s = await target.ask('count');
    }
    const stats = await target.ask('stats');
    const delivered = Math.max(1, stats.distinct as number);
    const appCpu = (cpuMicros(app.child.pid) - cpu0[0]!) / delivered;
    const relayCpu = (cpuMicros(relay?.child.pid) - cpu0[1]!) / delivered;
    const lat = stats.latencies as number[];
    const elapsed = (stats.lastAt as number) - startedAt;
    return {
      appCpu,
      relayCpu,
      throughput: ((stats.distinct as number) / elapsed) * 1000,
      p50: percentile(lat, 50),
      p99: percentile(lat, 99),
      lost: load.ok - (stats.distinct as number),
      duplicates: (stats.received as number) - (stats.distinct as number),
    };
  }

  // One warm-up of each, unrecorded: JIT, SQLite page cache, connection pools.
  await round(proxyUrl, false);
  await round(channelUrl, true);
  const ref: Round[] = [];
  const pipe: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    ref.push(await round(proxyUrl, false));
    pipe.push(await round(channelUrl, true));
    const a = ref.at(-1)!;
    const b = pipe.at(-1)!;
    console.log(
      `round ${r + 1}: proxy ${a.throughput.toFixed(0)}/s p99 ${a.p99.toFixed(1)} ms | ` +
        `hookline ${b.throughput.toFixed(0)}/s p50 ${b.p50.toFixed(1)} ms p99 ${b.p99.toFixed(1)} ms ` +
        `lost ${b.lost} dup ${b.duplicates} | CPU/request app ${b.appCpu.toFixed(0)} µs relay ${b.relayCpu.toFixed(0)} µs | ` +
        `ratio ${(b.throughput / a.throughput).toFixed(2)}`,
    );
  }
  const med = (rs: Round[], k: keyof Round) => median(rs.map((x) => x[k]));
  const ratios = pipe.map((p, i) => p.throughput / ref[i]!.throughput);

  // Latency where neither is overloaded: both paced to the same steady rate, below either's capacity.
  const rate = Number(
    values.rate ?? Math.round(0.6 * Math.min(med(ref, 'throughput'), med(pipe, 'throughput'))),
  );
  const refPaced: Round[] = [];
  const pipePaced: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    refPaced.push(await round(proxyUrl, false, rate));
    pipePaced.push(await round(channelUrl, true, rate));
  }

  console.log(
    `\n${count} requests of ${BODY_BYTES} B per round, ${concurrency} concurrent senders, ` +
      `listen --concurrency ${forwardConcurrency} --response-mode ${mode}` +
      `${relay ? ' with `hookline relay`' : ' with its embedded relay'}, ${rounds} rounds (medians):`,
  );
  const line = (name: string, rs: Round[], paced: Round[]) =>
    console.log(
      `  ${name.padEnd(11)} ${med(rs, 'throughput').toFixed(0)}/s flat out (p99 ${med(rs, 'p99').toFixed(1)} ms); ` +
        `at ${rate}/s: p50 ${med(paced, 'p50').toFixed(1)} ms, p99 ${med(paced, 'p99').toFixed(1)} ms; ` +
        `lost ${[...rs, ...paced].reduce((n, p) => n + p.lost, 0)}, ` +
        `duplicates ${[...rs, ...paced].reduce((n, p) => n + p.duplicates, 0)}`,
    );
  line('bare proxy', ref, refPaced);
  line('hookline', pipe, pipePaced);
  console.log(
    `  CPU per request (flat out): listen ${med(pipe, 'appCpu').toFixed(0)} µs` +
      (relay ? `, relay ${med(pipe, 'relayCpu').toFixed(0)} µs` : ' (with its relay)'),
  );
  console.log(`  ratio       ${median(ratios).toFixed(2)}× throughput (target ≥ 0.9×; p99 ≤ 50 ms)`);

  for (const p of relay ? [app, relay] : [app]) {
    p.child.kill('SIGTERM');
    await new Promise((r) => p.child.once('exit', r));
  }
  for (const p of [proxy, target]) p.child.stdin!.end();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
