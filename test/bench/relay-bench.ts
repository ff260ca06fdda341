// `npm run bench:relay`: the relay alone (capture, durable write, push to one acking subscriber)
// against a bare Node server that only answers 200, driven by the same load generator in the
// same run (DESIGN.md, Targets: ≥ 0.8× the bare server; here also p99 sender→subscriber ≤ 30 ms).
// Each server runs in its own child process so the senders and the subscriber (this process)
// do not share a thread with it. Rounds alternate between the two; medians are reported.
//
//   node bin/run-ts.mjs test/bench/relay-bench.ts [--rounds 5] [--seconds 3] [--concurrency 20] [--big 20]
//     [--rate N]   (paced to N requests/s: compare CPU per request instead of flat-out throughput)
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync, rmSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createRelay } from '../../relay/create-relay';
import { connectSubscriber } from '../helpers/relay-subscriber';
import { createChannel, tempDir } from '../helpers/relay-harness';
import { median, percentile, runLoad } from './load';

const BODY_BYTES = 1024;
const BIG_BYTES = 25 * 1024 * 1024;
const now = () => performance.timeOrigin + performance.now();

if (process.argv[2] === '--serve' && process.argv[3] === 'subscriber') await subscribe(process.argv.slice(4));
else if (process.argv[2] === '--serve') await serve(process.argv[3] ?? 'bare');
else await bench();

/**
 * Child mode: the acking subscriber, in a process of its own so that it does not share a thread with
 * the load generator (the measuring instrument). Answers `stats` and `reset` lines on stdin.
 */
async function subscribe([relayUrl, channelId, token]: string[]): Promise<void> {
  const latencies: number[] = [];
  const delivered = new Set<string>();
  const bigHashes: string[] = [];
  let duplicates = 0;
  const sub = connectSubscriber({
    relayUrl: relayUrl!,
    channelId: channelId!,
    token: token!,
    subscriberId: 'bench',
    onDelivery(request) {
      if (delivered.has(request.id)) duplicates += 1;
      else delivered.add(request.id);
      if (request.body.length === BIG_BYTES) {
        bigHashes.push(createHash('sha256').update(request.body).digest('hex'));
      } else {
        const head = Buffer.from(request.body.subarray(0, 40)).toString('latin1');
        latencies.push(now() - Number(/^\{"t":([\d.]+)/.exec(head)?.[1]));
      }
      // Keep memory flat over long runs: the body is not needed after this.
      sub.deliveries.length = 0;
    },
  });
  await sub.welcome;
  process.stdout.write(JSON.stringify({ ready: true }) + '\n');
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'reset') latencies.length = 0;
    const stats = {
      delivered: delivered.size,
      duplicates,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      bigHashes,
    };
    process.stdout.write(JSON.stringify(stats) + '\n');
  });
  process.stdin.on('end', () => void sub.close().then(() => process.exit(0)));
}

/** Child mode: start one server, print its port, stop when stdin closes. */
async function serve(kind: string): Promise<void> {
  let close: () => Promise<void>;
  let port: number;
  if (kind === 'relay') {
    const dataDir = tempDir('hookline-bench-');
    const unlimited = { ratePerSec: 1e9, burst: 1e9 };
    const relay = createRelay({ dataDir, channelRateLimit: unlimited, ipRateLimit: unlimited });
    port = (await relay.listen(0)).port;
    close = async () => {
      await relay.close();
      rmSync(dataDir, { recursive: true, force: true });
    };
  } else {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 11 });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  }
  process.stdout.write(JSON.stringify({ port }) + '\n');
  // Each line on stdin asks for the CPU time used so far, in ms (user + system).
  createInterface({ input: process.stdin }).on('line', () => {
    const { user, system } = process.cpuUsage();
    process.stdout.write(JSON.stringify({ cpuMs: (user + system) / 1000 }) + '\n');
  });
  process.stdin.on('end', () => void close().then(() => process.exit(0)));
}

interface Child {
  child: ChildProcess;
  url: string;
  /** CPU time the child has used, in ms. */
  cpuMs(): Promise<number>;
  /** Sends one line, resolves with the JSON line it answers. */
  ask(line: string): Promise<Record<string, unknown>>;
}

async function startChild(kind: string, extra: string[] = []): Promise<Child> {
  const child = spawn(
    process.execPath,
    [
      // e.g. BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the servers.
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      'bin/run-ts.mjs',
      'test/bench/relay-bench.ts',
      '--serve',
      kind,
      ...extra,
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout! });
  const first = JSON.parse(await new Promise<string>((resolve) => lines.once('line', resolve))) as {
    port?: number;
  };
  const ask = async (line: string) => {
    const reply = new Promise<string>((resolve) => lines.once('line', resolve));
    child.stdin!.write(line + '\n');
    return JSON.parse(await reply) as Record<string, unknown>;
  };
  const cpuMs = async () => (await ask('cpu')).cpuMs as number;
  return { child, url: `http://127.0.0.1:${first.port ?? 0}`, cpuMs, ask };
}

/** A process's resident set size in MB (Linux /proc). */
function residentMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

function body(i: number): string {
  const head = `{"t":${now().toFixed(3)},"i":${i},"pad":"`;
  return head + 'x'.repeat(BODY_BYTES - head.length - 2) + '"}';
}

async function bench(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '20' },
      big: { type: 'string', default: '20' },
      // Paces both servers to this many requests per second: CPU per request at a steady load.
      rate: { type: 'string' },
    },
  });
  const rounds = Number(values.rounds);
  const durationMs = Number(values.seconds) * 1000;
  const concurrency = Number(values.concurrency);
  const bigCount = Number(values.big);
  const pace = values.rate ? { ratePerSec: Number(values.rate) } : {};

  const bare = await startChild('bare');
  const relay = await startChild('relay');
  const channel = await createChannel(relay.url);
  const sub = await startChild('subscriber', [relay.url, channel.id, channel.token]);
  const stats = async (line = 'stats') => {
    const r = await sub.ask(line);
    return r as { delivered: number; duplicates: number; p50: number; p99: number; bigHashes: string[] };
  };
  const accepted = new Set<string>();
  const relayUrl = `${relay.url}/h/${channel.id}/bench`;

  const runRelay = async (ms: number) => {
    await stats('reset');
    const cpu0 = await relay.cpuMs();
    const result = await runLoad({
      url: relayUrl,
      concurrency,
      durationMs: ms,
      body,
      ...pace,
      onResponse(status, res) {
        if (status === 200) accepted.add((JSON.parse(res.toString()) as { id: string }).id);
      },
    });
    const deadline = Date.now() + 10_000;
    let s = await stats();
    while (s.delivered < accepted.size && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
      s = await stats();
    }
    const cpuUs = ((await relay.cpuMs()) - cpu0) * 1000;
    return { result, p50: s.p50, p99: s.p99, cpuUs: cpuUs / result.ok };
  };
  const runBare = async (ms: number) => {
    const cpu0 = await bare.cpuMs();
    const result = await runLoad({ url: `${bare.url}/`, concurrency, durationMs: ms, body, ...pace });
    return { ...result, cpuUs: (((await bare.cpuMs()) - cpu0) * 1000) / result.ok };
  };

  await runBare(1000);
  await runRelay(1000);
  const rows: Array<{
    bare: number;
    relay: number;
    p50: number;
    p99: number;
    bareCpu: number;
    relayCpu: number;
  }> = [];
  for (let r = 0; r < rounds; r++) {
    const b = await runBare(durationMs);
    const x = await runRelay(durationMs);
    rows.push({
      bare: b.throughput,
      relay: x.result.throughput,
      p50: x.p50,
      p99: x.p99,
      bareCpu: b.cpuUs,
      relayCpu: x.cpuUs,
    });
    console.log(
      `round ${r + 1}: bare ${b.throughput.toFixed(0)}/s (${b.cpuUs.toFixed(0)} µs CPU/req)  ` +
        `relay ${x.result.throughput.toFixed(0)}/s (${x.cpuUs.toFixed(0)} µs CPU/req, failed ${x.result.failed})  ` +
        `sender→subscriber p50 ${x.p50.toFixed(1)} ms p99 ${x.p99.toFixed(1)} ms`,
    );
  }
  const final = await stats();
  const lost = accepted.size - (final.delivered - 0);
  const bareMedian = median(rows.map((r) => r.bare));
  const relayMedian = median(rows.map((r) => r.relay));
  const p99 = median(rows.map((r) => r.p99));
  const ratio = relayMedian / bareMedian;
  console.log('');
  console.log(
    `relay bench: ${concurrency} senders, ${BODY_BYTES} B bodies, ${rounds} × ${durationMs / 1000} s, medians`,
  );
  const bareCpu = median(rows.map((r) => r.bareCpu));
  const relayCpu = median(rows.map((r) => r.relayCpu));
  console.log(
    `  bare node server  ${bareMedian.toFixed(0)} req/s   ${bareCpu.toFixed(0)} µs server CPU per request`,
  );
  console.log(
    `  relay             ${relayMedian.toFixed(0)} req/s   ${relayCpu.toFixed(0)} µs server CPU per request  ` +
      `(${ratio.toFixed(2)}× bare throughput; target ≥ 0.80×)`,
  );
  console.log(
    `  sender→subscriber p50 ${median(rows.map((r) => r.p50)).toFixed(1)} ms  p99 ${p99.toFixed(1)} ms (target ≤ 30 ms)`,
  );
  console.log(
    `  accepted ${accepted.size}, delivered ${final.delivered}, lost ${lost}, duplicates ${final.duplicates}`,
  );
  console.log(`  ${ratio >= 0.8 && p99 <= 30 && lost === 0 ? 'targets met' : 'BELOW TARGET'}`);

  // Large bodies: 20 × 25 MB through the relay to the subscriber, byte-exact, with the relay's memory
  // (resident set, from /proc) sampled after each one: it should stay flat, not grow with what is stored.
  if (bigCount > 0) await bigBodies(relay, relayUrl, bigCount, stats);
  for (const c of [sub.child, bare.child, relay.child]) {
    c.stdin!.end();
    await new Promise((r) => c.once('exit', r));
  }
}

async function bigBodies(
  relay: Child,
  relayUrl: string,
  count: number,
  stats: () => Promise<{ bigHashes: string[] }>,
): Promise<void> {
  const big = randomBytes(BIG_BYTES);
  const bigHash = createHash('sha256').update(big).digest('hex');
  const rss: number[] = [];
  for (let i = 0; i < count; i++) {
    await runLoad({ url: relayUrl, count: 1, concurrency: 1, body: () => big });
    rss.push(residentMb(relay.child.pid!));
  }
  let got = await stats();
  while (got.bigHashes.length < count) {
    await new Promise((r) => setTimeout(r, 20));
    got = await stats();
  }
  const bigIntact = got.bigHashes.filter((h) => h === bigHash).length;
  console.log(
    `  25 MB bodies: ${count} sent, ${bigIntact} received byte-exact; relay resident memory after each: ` +
      `min ${Math.min(...rss).toFixed(0)} MB, max ${Math.max(...rss).toFixed(0)} MB, last ${rss.at(-1)!.toFixed(0)} MB`,
  );
}
