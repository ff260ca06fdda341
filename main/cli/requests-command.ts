// `hookline requests list|show`: read the local history.
import { AppError } from '../../common/errors';
import { headerValue, type StoredRequest } from '../../common/model';
import type { RequestSummary } from '../store/store-types';
import { intFlag, parse } from './args';
import { UsageError, type CliIo, type Command } from './cli-io';
import { defaultDataDir } from './data-dir';
import { withHistory } from './open-history';
import { attemptJson, formatAttempt, formatSize, requestJson } from './request-format';

const HELP = `Usage: hookline requests list [--filter EXPR] [--limit N] [--channel ID] [--json]
       hookline requests show ID [--json]

Filter terms (ANDed): method:POST status:5xx provider:stripe event:payment_intent verified:invalid
path:/webhooks header:x-github-event pinned:true after:2026-01-01 and words or "phrases" searched in bodies.

Options:
  --data-dir DIR   where history lives (default ~/.hookline)
  --json           print JSON
`;

export const runRequestsCommand: Command = async (args, io) => {
  const { values, positionals } = parse(
    args,
    {
      filter: { type: 'string' },
      limit: { type: 'string' },
      channel: { type: 'string' },
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
  const dataDir = values['data-dir'] ?? defaultDataDir(io.env);
  const [sub, id, ...extra] = positionals;
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
  switch (sub) {
    case 'list':
    case undefined:
      return withHistory(dataDir, (store) => {
        const page = store.listRequests({
          limit: intFlag(values.limit, 'limit', 50),
          ...(values.filter ? { filter: values.filter } : {}),
          ...(values.channel ? { channelId: values.channel } : {}),
        });
        if (values.json) io.stdout.write(JSON.stringify(page.items) + '\n');
        else printList(io, page.items);
        return 0;
      });
    case 'show': {
      if (!id) throw new UsageError('requests show needs a request id');
      return withHistory(dataDir, (store) => {
        const request = store.getRequest(id);
        if (!request)
          throw new AppError(
            'request_not_found',
            `no stored request has id '${id}' (see 'hookline requests list')`,
          );
        const attempts = store.listAttempts(id);
        if (values.json) {
          io.stdout.write(
            JSON.stringify({ ...requestJson(request), attempts: attempts.map(attemptJson) }, null, 2) + '\n',
          );
        } else {
          printRequest(io, request);
          for (const a of attempts)
            io.stdout.write(
              `\n${a.kind} ${a.method} ${a.url}  ${formatAttempt(a)}${a.error ? `  ${a.error.message}` : ''}\n`,
            );
        }
        return 0;
      });
    }
    default:
      throw new UsageError(`unknown subcommand '${sub}' (list or show)`);
  }
};

function printList(io: CliIo, items: RequestSummary[]): void {
  if (items.length === 0) {
    io.stdout.write('No requests match.\n');
    return;
  }
  for (const r of items) {
    const when = new Date(r.receivedAt).toISOString().replace('T', ' ').slice(0, 19);
    const path = (r.path || '/') + (r.query ? `?${r.query}` : '');
    const last = r.lastAttempt ? `→ ${r.lastAttempt.status ?? r.lastAttempt.errorCode ?? '?'}` : '';
    const sig = r.verification && r.verification.status !== 'unsigned' ? r.verification.status : '';
    const what = [r.provider, r.eventType].filter(Boolean).join(' ');
    io.stdout.write(
      [r.id, when, r.method.padEnd(6), path, formatSize(r.bodySize), last, what, sig]
        .filter(Boolean)
        .join('  ') + '\n',
    );
  }
}

function printRequest(io: CliIo, r: StoredRequest): void {
  const path = (r.path || '/') + (r.query ? `?${r.query}` : '');
  io.stdout.write(`${r.method} ${path}\n`);
  io.stdout.write(
    `id ${r.id}  channel ${r.channelId}  seq ${r.seq}  received ${new Date(r.receivedAt).toISOString()}\n`,
  );
  if (r.provider)
    io.stdout.write(
      `provider ${r.provider}${r.eventType ? `  event ${r.eventType}` : ''}${r.eventId ? `  id ${r.eventId}` : ''}\n`,
    );
  if (r.verification)
    io.stdout.write(
      `signature ${r.verification.status}${r.verification.reason ? `: ${r.verification.reason}` : ''}\n`,
    );
  io.stdout.write('\n');
  for (const [n, v] of r.headers) io.stdout.write(`${n}: ${v}\n`);
  io.stdout.write('\n' + prettyBody(r) + '\n');
}

/** JSON bodies pretty-printed; other text as is; binary as a note with its size. */
function prettyBody(r: StoredRequest): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(r.body);
  } catch {
    return `(${formatSize(r.body.length)} of binary data; 'hookline export --format json' has it as base64)`;
  }
  if (/json/i.test(headerValue(r.headers, 'content-type') ?? '') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  }
  return text;
}
