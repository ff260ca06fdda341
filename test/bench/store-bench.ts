// Event store benchmark at 100,000 requests (DESIGN.md "Targets"): insert rate in batches, newest page,
// body search for a rare word, and opening an existing store. Shared machines are noisy, so it also times
// a bare reference in the same run: the same rows into a plain SQLite table (no indexes, no FTS) with the
// same pragmas, and reports the store's insert rate as a ratio of it.
//
// It starts with the pipe's hot path in CPU time (process.cpuUsage, user + system): insertRequests of
// batches of 20 and insertAttempts of their 20 attempts, as the engine calls them, next to the same rows
// into two bare tables. Full-text indexing that the store defers is then timed on its own.
//
//   npm run bench:store [-- --count 100000 --batch 100 --hot-count 24000]   (--hot-path: only that part)
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { asAttemptId, asChannelId, asRequestId } from '../../common/ids';
import type { Attempt, StoredRequest } from '../../common/model';
import { openEventStore } from '../../main/store/event-store';
import { FTS_MAX_DELAY_MS } from '../../main/store/fts-indexer';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const COUNT = arg('count', 100_000);
const BATCH = arg('batch', 100);
const HOT_COUNT = arg('hot-count', 24_000);
const HOT_BATCH = 20;
const HOT_ONLY = process.argv.includes('--hot-path');
const RARE = 'xylophonist';

const WORDS = (
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec ' +
  'romeo sierra tango uniform victor whiskey xray yankee zulu payment invoice customer refund charge order ' +
  'shipment account balance subscription renewal trial webhook event created updated deleted succeeded failed'
).split(' ');

/** A deterministic pseudo-random generator, so every run stores the same data. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

/** A ~1 KB JSON body of varied words; every 25,000th carries the rare word. */
function makeRequest(i: number, rand: () => number): StoredRequest {
  const words: string[] = [];
  while (words.join(' ').length < 820) words.push(WORDS[Math.floor(rand() * WORDS.length)]!);
  if (i % 25_000 === 12_345) words.splice(5, 0, RARE);
  const json = JSON.stringify({
    id: `evt_${i}`,
    type: 'invoice.paid',
    amount: i % 9973,
    description: words.join(' '),
  });
  return {
    id: asRequestId(`req_${i.toString(36).padStart(8, '0')}`),
    channelId: asChannelId(i % 10 === 0 ? 'other' : 'main'),
    seq: i + 1,
    method: 'POST',
    path: '/webhooks/stripe',
    query: '',
    headers: [
      ['Host', 'relay.example.com'],
      ['Content-Type', 'application/json'],
      ['User-Agent', 'Stripe/1.0 (+https://stripe.com/docs/webhooks)'],
      ['Stripe-Signature', `t=${1_700_000_000 + i},v1=${(i * 2654435761).toString(16)}`],
    ],
    body: new TextEncoder().encode(json),
    receivedAt: 1_700_000_000_000 + i * 10,
    sourceIp: '203.0.113.7',
  };
}

/** The forward result for request `r`: a 200 with a small JSON response. */
function makeAttempt(r: StoredRequest, id: string): Attempt {
  return {
    id: asAttemptId(id),
    requestId: r.id,
    kind: 'forward',
    url: 'http://localhost:3000/webhooks/stripe',
    method: 'POST',
    requestHeaders: r.headers,
    startedAt: r.receivedAt + 3,
    durationMs: 2.5,
    status: 200,
    responseHeaders: [
      ['content-type', 'application/json'],
      ['content-length', '16'],
    ],
    responseBody: new TextEncoder().encode('{"received":true}'),
  };
}

/** CPU time (user + system) of `fn`, in µs. */
function cpuMicros(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

function makeBatches(count: number, size: number): StoredRequest[][] {
  const rand = rng(42);
  const batches: StoredRequest[][] = [];
  for (let i = 0; i < count; i += size) {
    batches.push(Array.from({ length: Math.min(size, count - i) }, (_, k) => makeRequest(i + k, rand)));
  }
  return batches;
}

type IdStyle = 'sequential' | 'random';

/** Requests and their attempts; random ids are made as the relay makes them ('rq_' + 96 bits; UUIDs). */
function hotRows(
  count: number,
  ids: IdStyle,
  tag: string,
): { requests: StoredRequest[][]; attempts: Attempt[][] } {
  const requests = makeBatches(count, HOT_BATCH).map((b) =>
    b.map((r) => ({
      ...r,
      id: asRequestId(ids === 'random' ? `rq_${randomBytes(12).toString('base64url')}` : `${tag}_${r.id}`),
    })),
  );
  const attempts = requests.map((b) =>
    b.map((r) => makeAttempt(r, ids === 'random' ? randomUUID() : `att_${r.id}`)),
  );
  return { requests, attempts };
}

interface HotPathResult {
  requestsUs: number;
  attemptsUs: number;
  catchUpUs: number;
  bareUs: number;
}

/**
 * CPU µs per (request + its attempt) on the hot path, the store's and a bare reference's. Random ids matter:
 * an index on them dirties a random page per row, which sequential ids hide.
 */
function hotPath(dir: string, ids: IdStyle): HotPathResult {
  const warm = hotRows(2_000, ids, 'warm');
  const hot = hotRows(HOT_COUNT, ids, 'hot');

  const bare = new Database(join(dir, `bare-${ids}.db`));
  bare.pragma('journal_mode = WAL');
  bare.pragma('synchronous = NORMAL');
  bare.exec(`CREATE TABLE r (id TEXT PRIMARY KEY, headers TEXT, body BLOB, received_at INTEGER);
    CREATE TABLE a (id TEXT PRIMARY KEY, request_id TEXT, headers TEXT, body BLOB, status INTEGER)`);
  const bareReq = bare.prepare('INSERT OR IGNORE INTO r VALUES (?, ?, ?, ?)');
  const bareAtt = bare.prepare('INSERT INTO a VALUES (?, ?, ?, ?, ?)');
  const bareRequests = bare.transaction((rs: StoredRequest[]) => {
    for (const r of rs) bareReq.run(r.id, JSON.stringify(r.headers), Buffer.from(r.body), r.receivedAt);
  });
  const bareAttempts = bare.transaction((as: Attempt[]) => {
    for (const a of as) {
      const response = Buffer.from(a.responseBody!);
      bareAtt.run(a.id, a.requestId, JSON.stringify(a.responseHeaders), response, a.status);
    }
  });
  const bareRun = (rows: ReturnType<typeof hotRows>) => {
    rows.requests.forEach((b, i) => {
      bareRequests(b);
      bareAttempts(rows.attempts[i]!);
    });
  };
  bareRun(warm);
  const bareUs = cpuMicros(() => bareRun(hot)) / HOT_COUNT;
  bare.close();

  const store = openEventStore({ file: join(dir, `hot-${ids}.db`) });
  warm.requests.forEach((b, i) => {
    store.insertRequests(b);
    store.insertAttempts(warm.attempts[i]!);
  });
  store.searchBodies(RARE, 1); // any deferred indexing of the warm-up rows happens here, not below
  let requestsUs = 0;
  let attemptsUs = 0;
  hot.requests.forEach((b, i) => {
    requestsUs += cpuMicros(() => store.insertRequests(b));
    attemptsUs += cpuMicros(() => store.insertAttempts(hot.attempts[i]!));
  });
  // Whatever indexing the store deferred: the first search catches up on every row inserted above.
  const catchUpUs = cpuMicros(() => store.searchBodies(RARE, 1)) / HOT_COUNT;
  store.close();
  return { requestsUs: requestsUs / HOT_COUNT, attemptsUs: attemptsUs / HOT_COUNT, catchUpUs, bareUs };
}

function printHotPath(results: Record<IdStyle, HotPathResult>): void {
  const us = (n: number) => n.toFixed(1).padStart(6);
  const line = (what: string, f: (r: HotPathResult) => number) =>
    console.log(`  ${what.padEnd(46)} ${us(f(results.sequential))} µs ${us(f(results.random))} µs`);
  console.log(
    `hot path, CPU per request + its attempt (${HOT_COUNT.toLocaleString('en')} requests, batches of ${HOT_BATCH}, 1 KB JSON)`,
  );
  console.log(`  ${''.padEnd(46)} ${'sequential ids'.padStart(9)} ${'random ids'.padStart(9)}`);
  line('store: insertRequests + insertAttempts', (r) => r.requestsUs + r.attemptsUs);
  line('  insertRequests', (r) => r.requestsUs);
  line('  insertAttempts', (r) => r.attemptsUs);
  line('  deferred full-text indexing, later', (r) => r.catchUpUs);
  line('bare tables (no indexes, no FTS, no trigger)', (r) => r.bareUs);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function timeMany(times: number, fn: () => void): number {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

const dir = mkdtempSync(join(tmpdir(), 'hookline-store-bench-'));
try {
  printHotPath({ sequential: hotPath(dir, 'sequential'), random: hotPath(dir, 'random') });
  if (!HOT_ONLY) targets(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function targets(dir: string): void {
  const batches = makeBatches(COUNT, BATCH);

  // Bare reference: same rows, same batching and pragmas, one plain table without indexes or FTS.
  const bare = new Database(join(dir, 'bare.db'));
  bare.pragma('journal_mode = WAL');
  bare.pragma('synchronous = NORMAL');
  bare.exec('CREATE TABLE r (id TEXT PRIMARY KEY, headers TEXT, body BLOB, received_at INTEGER)');
  const bareInsert = bare.prepare('INSERT OR IGNORE INTO r VALUES (?, ?, ?, ?)');
  const bareBatch = bare.transaction((rs: StoredRequest[]) => {
    for (const r of rs) bareInsert.run(r.id, JSON.stringify(r.headers), Buffer.from(r.body), r.receivedAt);
  });
  let t0 = performance.now();
  for (const b of batches) bareBatch(b);
  const bareRate = COUNT / ((performance.now() - t0) / 1000);
  bare.close();

  const file = join(dir, 'history.db');
  let store = openEventStore({ file });
  t0 = performance.now();
  for (const b of batches) store.insertRequests(b);
  const insertRate = COUNT / ((performance.now() - t0) / 1000);
  const batchMs = (performance.now() - t0) / batches.length;
  // The inserts above ran without a break, so the background indexer never did: the first search indexes
  // everything. Then a realistic backlog: the indexer runs at least every FTS_MAX_DELAY_MS, so at 5,000
  // inserts/s a search finds at most that many ms' worth of rows to index first.
  let hits = 0;
  const coldAll = timeMany(1, () => (hits = store.searchBodies(RARE, 50).length));
  const backlogRows = Math.round((5_000 * FTS_MAX_DELAY_MS) / 1000);
  const backlog = makeBatches(backlogRows, BATCH).map((b) =>
    b.map((r) => ({ ...r, id: asRequestId(`backlog_${r.id}`), receivedAt: r.receivedAt - 1e9 })),
  );
  for (const b of backlog) store.insertRequests(b);
  const coldBacklog = timeMany(1, () => store.searchBodies(RARE, 50));

  const newestPage = timeMany(200, () => store.listRequests({ limit: 50 }));
  const channelPage = timeMany(200, () => store.listRequests({ channelId: 'other', limit: 50 }));
  const deepCursor = store.listRequests({ limit: 1000 }).next;
  const olderPage = timeMany(200, () =>
    store.listRequests({ limit: 50, ...(deepCursor ? { before: deepCursor } : {}) }),
  );
  const rareSearch = timeMany(30, () => (hits = store.searchBodies(RARE, 50).length));
  const rareFilter = timeMany(30, () => store.listRequests({ filter: `${RARE} method:POST` }));
  const commonSearch = timeMany(10, () => store.searchBodies('refund', 50));
  const keyFilter = timeMany(30, () =>
    store.listRequests({ filter: 'method:POST path:/webhooks', limit: 50 }),
  );
  store.close();

  const opens: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t1 = performance.now();
    store = openEventStore({ file });
    store.listRequests({ limit: 50 });
    opens.push(performance.now() - t1);
    store.close();
  }

  const mb = (statSync(file).size / 1024 / 1024).toFixed(0);
  const row = (what: string, value: string, target: string, ok: boolean): string =>
    `${what.padEnd(44)} ${value.padStart(14)}   target ${target.padEnd(10)} ${ok ? 'ok' : 'MISSED'}`;
  console.log(`event store at ${COUNT.toLocaleString('en')} requests (~1 KB JSON bodies), ${mb} MB file`);
  console.log(
    row(`insert, batches of ${BATCH}`, `${Math.round(insertRate)}/s`, '≥ 5000/s', insertRate >= 5000),
  );
  console.log(
    `${'  bare table reference (no indexes, no FTS)'.padEnd(44)} ${`${Math.round(bareRate)}/s`.padStart(14)}   ratio ${(insertRate / bareRate).toFixed(2)}×; ${batchMs.toFixed(2)} ms per batch`,
  );
  console.log(
    row('newest page of 50 (median of 200)', `${newestPage.toFixed(2)} ms`, '≤ 20 ms', newestPage <= 20),
  );
  console.log(
    row('newest page of 50, one channel', `${channelPage.toFixed(2)} ms`, '≤ 20 ms', channelPage <= 20),
  );
  console.log(
    row('page of 50 after 1000 (cursor)', `${olderPage.toFixed(2)} ms`, '≤ 20 ms', olderPage <= 20),
  );
  console.log(
    row(
      `body search, rare word (${hits} hits, median of 30)`,
      `${rareSearch.toFixed(2)} ms`,
      '≤ 200 ms',
      rareSearch <= 200,
    ),
  );
  console.log(
    row(
      `  first search, ${backlogRows.toLocaleString('en')} rows to index first`,
      `${coldBacklog.toFixed(2)} ms`,
      '≤ 200 ms',
      coldBacklog <= 200,
    ),
  );
  console.log(
    `${`  first search, all ${COUNT.toLocaleString('en')} rows to index first`.padEnd(44)} ${`${coldAll.toFixed(0)} ms`.padStart(14)}   (a store that never went idle)`,
  );
  console.log(
    row('filter: rare word + method', `${rareFilter.toFixed(2)} ms`, '≤ 200 ms', rareFilter <= 200),
  );
  console.log(
    row(
      'body search, common word (newest 50)',
      `${commonSearch.toFixed(2)} ms`,
      '≤ 200 ms',
      commonSearch <= 200,
    ),
  );
  console.log(row('filter: method + path prefix', `${keyFilter.toFixed(2)} ms`, '≤ 20 ms', keyFilter <= 20));
  console.log(
    row(
      'open existing store + first page (median 7)',
      `${median(opens).toFixed(1)} ms`,
      '≤ 1000 ms',
      median(opens) <= 1000,
    ),
  );
}
