// `hookline replay ID… [--to URL]… [--edit FILE] [--resign]` and bulk `hookline replay --filter EXPR`.
import { readFile } from 'node:fs/promises';
import { AppError } from '../../common/errors';
import type { StoredRequest } from '../../common/model';
import { openConfig } from '../config/config-store';
import { openSecrets } from '../config/secrets-store';
import { publicUrlOf, secretConfigFor } from '../engine/secret-lookup';
import { createProgress } from '../export/progress-bar';
import { createForwarder } from '../forward/forwarder';
import { toOutbound } from '../forward/outbound-request';
import { applyEdit, replayHeaders } from '../forward/replay-edit';
import { resignRequest } from '../verify';
import { intFlag, parse, urlFlag } from './args';
import { UsageError, type Command } from './cli-io';
import { defaultDataDir } from './data-dir';
import { withHistory } from './open-history';
import { attemptJson, formatAttempt } from './request-format';

const HELP = `Usage: hookline replay ID… [options]
       hookline replay --filter EXPR [--limit N] [options]

Send stored requests again, as captured or edited, and store each new attempt with its response.

Options:
  --to URL         target (repeatable); default: the channel's forward targets
  --edit FILE      JSON with any of method, path, query, headers, body, bodyBase64, bodyJson
  --resign         re-sign with the channel's secret and the current time (schemes with a timestamp)
  --insecure       send to https targets without checking their certificate (self-signed)
  --filter EXPR    replay every request matching EXPR (see 'hookline requests --help'), oldest first
  --limit N        at most N requests with --filter (default 100)
  --data-dir DIR   where history lives (default ~/.hookline)
  --json           print one JSON attempt per line
`;

export const runReplayCommand: Command = async (args, io) => {
  const { values, positionals } = parse(
    args,
    {
      to: { type: 'string', multiple: true },
      edit: { type: 'string' },
      resign: { type: 'boolean' },
      insecure: { type: 'boolean' },
      filter: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean' },
    },
    true,
  );
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (positionals.length === 0 && !values.filter) throw new UsageError('name a request id, or pass --filter');
  const dataDir = values['data-dir'] ?? defaultDataDir(io.env);
  const explicitTargets = (values.to ?? []).map((t) => urlFlag(t, 'to'));
  const edit = values.edit ? await readEdit(values.edit) : undefined;
  const config = await openConfig(dataDir);
  const secrets = values.resign ? await openSecrets(dataDir) : undefined;
  const settings = config.get().settings;
  const forwarder = createForwarder({
    timeoutMs: settings.forwardTimeoutMs,
    maxResponseBytes: settings.maxResponseBytes,
    rejectUnauthorized: !values.insecure,
  });

  try {
    return await withHistory(dataDir, async (store) => {
      const requests: StoredRequest[] = [];
      for (const id of positionals) {
        const r = store.getRequest(id);
        if (!r)
          throw new AppError(
            'request_not_found',
            `no stored request has id '${id}' (see 'hookline requests list')`,
          );
        requests.push(r);
      }
      if (values.filter) {
        const page = store.listRequests({
          filter: values.filter,
          limit: intFlag(values.limit, 'limit', 100),
        });
        for (const s of page.items.reverse()) requests.push(store.getRequest(s.id)!);
      }
      const progress = createProgress(requests.length, io.stderr);
      let failures = 0;
      for (const request of requests) {
        const targets = explicitTargets.length
          ? explicitTargets
          : config.forwardRulesFor(request.channelId).flatMap((r) => r.targets);
        if (targets.length === 0) {
          throw new AppError(
            'bad_request',
            `no target for request ${request.id}: pass --to http://localhost:PORT/path`,
          );
        }
        let outbound = toOutbound(request);
        if (edit !== undefined) outbound = applyEdit(outbound, edit);
        if (values.resign) {
          const channel = config.getChannel(request.channelId);
          const url = channel ? publicUrlOf(channel, outbound) : undefined;
          const verifiable = { ...outbound, ...(url ? { url } : {}) };
          const secretConfig = channel ? secretConfigFor(channel, secrets!, verifiable) : undefined;
          if (!secretConfig) {
            throw new AppError(
              'bad_request',
              `no secret for channel ${request.channelId}: set one with 'hookline secrets set'`,
            );
          }
          outbound = {
            ...outbound,
            ...resignRequest(verifiable, secretConfig, { now: Math.floor(Date.now() / 1000) }),
          };
        }
        outbound = replayHeaders(outbound);
        for (const target of targets) {
          const attempt = await forwarder.send(outbound, target, { kind: 'replay' });
          store.insertAttempt(attempt);
          if (attempt.status === undefined || attempt.status >= 400) failures++;
          if (values.json) io.stdout.write(JSON.stringify(attemptJson(attempt)) + '\n');
          else
            io.stdout.write(
              `${request.id}  ${attempt.method} ${attempt.url}  ${formatAttempt(attempt)}${attempt.error ? `  ${attempt.error.message}` : ''}\n`,
            );
        }
        progress.tick();
      }
      progress.finish();
      return failures === 0 ? 0 : 1;
    });
  } finally {
    forwarder.close();
  }
};

async function readEdit(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e: unknown) {
    throw new UsageError(
      `cannot read --edit file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e: unknown) {
    throw new UsageError(
      `--edit file ${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}
