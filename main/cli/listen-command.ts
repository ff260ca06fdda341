// `hookline listen`: subscribe, store, verify, forward; one line per request (or NDJSON with --json).
import { RESPONSE_MODES, type Attempt, type ResponseMode, type StoredRequest } from '../../common/model';
import { createEngine } from '../engine/create-engine';
import { intFlag, parse, urlFlag } from './args';
import { UsageError, type Command } from './cli-io';
import { defaultDataDir } from './data-dir';
import { formatAttempt, formatRequestLine, requestJson, attemptJson } from './request-format';

const HELP = `Usage: hookline listen [options]

Subscribe to a relay channel, store every request locally, verify it and forward it.

Options:
  --relay URL            relay base URL (default: start an embedded relay on 127.0.0.1)
  --channel ID           use this channel (remembered, or created with this name)
  --new-channel          create a fresh channel instead of reusing the remembered one
  --forward URL          forward each request to URL (repeatable)
  --concurrency N        forwards in flight at once per target (default 1: the target sees them in order)
  --retry N              retry a failed forward (network error, 429, 5xx) up to N times, with backoff
  --insecure             forward to https targets without checking their certificate (self-signed)
  --response-mode MODE   for a new channel: ack (default), wait or reject-offline
  --admin-token T        the relay's admin token, to create a channel
  --data-dir DIR         where history and config live (default ~/.hookline)
  --json                 print NDJSON events: ready, request, attempt, state
  --quiet                print the ready line and errors only, not a line per request
  --help                 show this help
`;

export const runListenCommand: Command = async (args, io) => {
  const { values } = parse(args, {
    relay: { type: 'string' },
    channel: { type: 'string' },
    'new-channel': { type: 'boolean' },
    forward: { type: 'string', multiple: true },
    concurrency: { type: 'string' },
    retry: { type: 'string' },
    insecure: { type: 'boolean' },
    'response-mode': { type: 'string' },
    'admin-token': { type: 'string' },
    'data-dir': { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const mode = values['response-mode'];
  if (mode !== undefined && !RESPONSE_MODES.includes(mode as ResponseMode)) {
    throw new UsageError(`--response-mode must be one of ${RESPONSE_MODES.join(', ')}, got '${mode}'`);
  }
  const json = values.json ?? false;
  const out = (line: object) => io.stdout.write(JSON.stringify(line) + '\n');

  const engine = await createEngine({
    dataDir: values['data-dir'] ?? defaultDataDir(io.env),
    ...(values.relay ? { relayUrl: urlFlag(values.relay, 'relay').replace(/\/$/, '') } : {}),
    ...(values.channel ? { channelId: values.channel } : {}),
    ...(values['new-channel'] ? { newChannel: true } : {}),
    ...(mode ? { responseMode: mode as ResponseMode } : {}),
    ...(values['admin-token'] ? { adminToken: values['admin-token'] } : {}),
    forward: (values.forward ?? []).map((f) => urlFlag(f, 'forward')),
    ...(values.insecure ? { insecure: true } : {}),
    ...(values.concurrency ? { concurrency: intFlag(values.concurrency, 'concurrency', 1) } : {}),
    ...(values.retry
      ? { retry: { attempts: intFlag(values.retry, 'retry', 1) + 1, baseDelayMs: 500, maxDelayMs: 30_000 } }
      : {}),
  });

  let fatal: Error | undefined;
  const stopped = new Promise<void>((resolve) => {
    engine.on('fatal', (e) => {
      fatal = e;
      resolve();
    });
    void io.stopSignal.then(resolve);
  });

  const targets = engine.targets();
  let lost = false;
  const waiting = new Map<string, StoredRequest>();
  engine.on('ready', ({ url, channelId, relayUrl }) => {
    if (json) return out({ type: 'ready', url, channel: channelId, relay: relayUrl, forward: targets });
    io.stdout.write(`Hookline is listening.\n  URL      ${url}\n`);
    for (const t of targets) io.stdout.write(`  Forward  ${t}\n`);
    io.stdout.write(`Press Ctrl+C to stop.\n\n`);
  });
  engine.on('state', (state, detail) => {
    if (json) return out({ type: 'state', state, ...(detail ? { detail } : {}) });
    // Quiet while all is well; say when the link drops and when it is back.
    if (state === 'reconnecting' || state === 'failed') {
      lost = true;
      io.stderr.write(`relay: ${state}${detail ? ` (${detail})` : ''}\n`);
    } else if (state === 'connected' && lost) {
      lost = false;
      io.stderr.write('relay: connected again\n');
    }
  });
  const quiet = values.quiet ?? false;
  engine.on('request', (request) => {
    if (quiet) return;
    if (json) return out({ type: 'request', request: requestJson(request) });
    if (targets.length === 0) io.stdout.write(formatRequestLine(request) + '\n');
    else waiting.set(request.id, request);
  });
  engine.on('attempt', (attempt: Attempt, request) => {
    if (quiet) return;
    if (json) return out({ type: 'attempt', attempt: attemptJson(attempt) });
    if (waiting.delete(request.id)) io.stdout.write(formatRequestLine(request, attempt) + '\n');
    else io.stdout.write(`  ${formatAttempt(attempt)}\n`);
  });

  engine.start();
  await stopped;
  await engine.stop();
  if (fatal) {
    io.stderr.write(`hookline listen: ${fatal.message}\n`);
    return 1;
  }
  return 0;
};
