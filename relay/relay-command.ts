// `hookline relay`: runs a relay until the stop signal (SIGINT/SIGTERM), then shuts down
// gracefully. Every flag also reads an environment variable; a flag wins over the environment.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Readable } from 'node:stream';
import { createRelay } from './create-relay';
import { parseDuration, parseSize } from './parse-size';

/** What the command uses of the CLI's io; structurally the same as main/cli's CliIo (relay/ cannot import main/). */
export interface RelayCommandIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  stdin?: Readable;
  env: Record<string, string | undefined>;
  /** Resolves when the user asks to stop. */
  stopSignal: Promise<void>;
}

/** Bad usage: printed with a --help hint, exit code 2 (as main/cli does for its UsageError). */
class RelayUsageError extends Error {
  override name = 'RelayUsageError';
}

const HELP = `Usage: hookline relay [options]

Runs a Hookline relay: hands out channel URLs, stores every request durably, streams them to subscribers.

Options:
  --port N            port to listen on (default 8787; 0 picks a free one)    HOOKLINE_RELAY_PORT
  --host ADDR         address to bind (default 127.0.0.1)                      HOOKLINE_RELAY_HOST
  --public-url URL    base URL senders use, for channel URLs                   HOOKLINE_RELAY_PUBLIC_URL
  --data-dir DIR      where the delivery buffer lives (default ~/.hookline/relay)  HOOKLINE_RELAY_DATA_DIR
  --max-body SIZE     largest request body (default 25mb)                      HOOKLINE_RELAY_MAX_BODY
  --retention TIME    how long unacked deliveries are kept (default 72h)       HOOKLINE_RELAY_RETENTION
  --admin-token T     require this bearer token to create channels             HOOKLINE_RELAY_ADMIN_TOKEN
  --rate-limit N      requests/s per channel, bursts of 2N; 0 = no limits at all (default 200)  HOOKLINE_RELAY_RATE_LIMIT
  --json              print NDJSON events instead of text
  --help              show this help
`;

/** Runs until io.stopSignal resolves; returns 0 after a clean stop, 2 for bad usage. */
export async function runRelayCommand(args: string[], io: RelayCommandIo): Promise<number> {
  try {
    return await run(args, io);
  } catch (e: unknown) {
    if (!(e instanceof RelayUsageError)) throw e;
    io.stderr.write(`hookline relay: ${e.message}\nRun 'hookline relay --help' for usage.\n`);
    return 2;
  }
}

async function run(args: string[], io: RelayCommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'public-url': { type: 'string' },
        'data-dir': { type: 'string' },
        'max-body': { type: 'string' },
        retention: { type: 'string' },
        'admin-token': { type: 'string' },
        'rate-limit': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e: unknown) {
    throw new RelayUsageError(e instanceof Error ? e.message : String(e));
  }
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const env = io.env;
  const pick = (flag: string | undefined, name: string) => flag ?? nonEmpty(env[`HOOKLINE_RELAY_${name}`]);
  const port = parsePort(pick(values.port, 'PORT') ?? '8787');
  const host = pick(values.host, 'HOST') ?? '127.0.0.1';
  const publicUrl = pick(values['public-url'], 'PUBLIC_URL');
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(publicUrl))
    throw new RelayUsageError(`--public-url must be an http(s) URL, got '${publicUrl}'`);
  const dataDir = pick(values['data-dir'], 'DATA_DIR') ?? join(homedir(), '.hookline', 'relay');
  const maxBody = usage(() => parseSize(pick(values['max-body'], 'MAX_BODY') ?? '25mb'));
  const retention = usage(() => parseDuration(pick(values.retention, 'RETENTION') ?? '72h'));
  const adminToken = pick(values['admin-token'], 'ADMIN_TOKEN');
  const json = values.json;
  const rate = parseRate(pick(values['rate-limit'], 'RATE_LIMIT'));

  const relay = createRelay({
    dataDir,
    host,
    publicUrl,
    maxBody,
    retention,
    adminToken,
    ...(rate ? { channelRateLimit: rate } : {}),
    ...(rate?.ratePerSec === Infinity ? { ipRateLimit: rate } : {}),
    logger: {
      info: () => {},
      warn: (message) =>
        io.stderr.write(json ? JSON.stringify({ type: 'warning', message }) + '\n' : message + '\n'),
    },
  });
  let bound;
  try {
    bound = await relay.listen(port, host);
  } catch (e: unknown) {
    await relay.close();
    throw e;
  }
  io.stdout.write(
    json
      ? JSON.stringify({
          type: 'ready',
          url: bound.url,
          port: bound.port,
          publicUrl: publicUrl ?? bound.url,
          dataDir,
        }) + '\n'
      : `Hookline relay listening on ${bound.url}\n`,
  );
  await io.stopSignal;
  await relay.close();
  io.stdout.write(json ? JSON.stringify({ type: 'stopped' }) + '\n' : 'Hookline relay stopped\n');
  return 0;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

/** `--rate-limit N`: N/s per channel with bursts of 2N; 0 lifts the limit (e.g. a relay on loopback). */
function parseRate(s: string | undefined): { ratePerSec: number; burst: number } | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || n < 0)
    throw new RelayUsageError(`--rate-limit must be a number ≥ 0, got '${s}'`);
  return n === 0 ? { ratePerSec: Infinity, burst: Infinity } : { ratePerSec: n, burst: 2 * n };
}

function parsePort(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new RelayUsageError(`--port must be 0–65535, got '${s}'`);
  return n;
}

function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e: unknown) {
    throw new RelayUsageError(e instanceof Error ? e.message : String(e));
  }
}
