// `hookline export [--format har|json|curl] [--out FILE] [--filter EXPR]`: history as HAR 1.2, JSON or cURL.
import { writeFile } from 'node:fs/promises';
import { AppError } from '../../common/errors';
import type { StoredRequest } from '../../common/model';
import { openConfig } from '../config/config-store';
import { toCurl } from '../export/curl-export';
import { toHar, type ExportableRequest } from '../export/har-export';
import { toJsonExport } from '../export/json-export';
import { createProgress } from '../export/progress-bar';
import { joinTargetUrl } from '../forward/target-url';
import { intFlag, parse } from './args';
import { UsageError, type Command } from './cli-io';
import { defaultDataDir } from './data-dir';
import { withHistory } from './open-history';

const FORMATS = ['har', 'json', 'curl'] as const;
type Format = (typeof FORMATS)[number];

const HELP = `Usage: hookline export [--format har|json|curl] [--out FILE] [--filter EXPR] [--limit N]

Exports the history, oldest first: HAR 1.2 (opens in browsers' devtools), JSON (bodies byte-exact as base64),
or a shell script of cURL commands that reproduce each request byte for byte.

Options:
  --format F       har (default), json or curl
  --out FILE       write to FILE instead of standard output
  --filter EXPR    only requests matching EXPR (see 'hookline requests --help')
  --limit N        at most N requests (default 10000)
  --to URL         cURL only: send to this base URL instead of the channel's public URL
  --data-dir DIR   where history lives (default ~/.hookline)
`;

export const runExportCommand: Command = async (args, io) => {
  const { values } = parse(args, {
    format: { type: 'string' },
    out: { type: 'string' },
    filter: { type: 'string' },
    limit: { type: 'string' },
    to: { type: 'string' },
    'data-dir': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const format = (values.format ?? 'har') as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${format}'`);
  const dataDir = values['data-dir'] ?? defaultDataDir(io.env);
  const config = await openConfig(dataDir);
  /** Where the request was sent: the channel's public URL, or --to. */
  const baseOf = (r: StoredRequest) =>
    values.to ??
    config.getChannel(r.channelId)?.url ??
    `http://localhost/h/${encodeURIComponent(r.channelId)}`;
  const urlOf = (r: StoredRequest) => joinTargetUrl(baseOf(r), r.path, r.query);

  const text = await withHistory(dataDir, (store) => {
    const limit = intFlag(values.limit, 'limit', 10_000);
    const summaries = store.listRequests({
      limit: Math.min(limit, 1000),
      ...(values.filter ? { filter: values.filter } : {}),
    });
    const items = [...summaries.items];
    let next = summaries.next;
    while (next && items.length < limit) {
      const page = store.listRequests({
        limit: Math.min(1000, limit - items.length),
        before: next,
        ...(values.filter ? { filter: values.filter } : {}),
      });
      items.push(...page.items);
      next = page.next;
    }
    const progress = createProgress(items.length, io.stderr);
    const full: ExportableRequest[] = [];
    for (const s of items.reverse()) {
      const r = store.getRequest(s.id);
      if (r) full.push({ ...r, attempts: store.listAttempts(s.id) });
      progress.tick();
    }
    progress.finish();
    switch (format) {
      case 'har':
        return JSON.stringify(toHar(full, { baseUrl: baseOf }), null, 2) + '\n';
      case 'json':
        return JSON.stringify(toJsonExport(full), null, 2) + '\n';
      case 'curl':
        return '#!/bin/sh\n' + full.map((r) => `# ${r.id}\n${toCurl(r, urlOf(r))}\n`).join('');
      default: {
        const never: never = format;
        throw new AppError('bad_request', `unknown format ${String(never)}`);
      }
    }
  });
  if (values.out) {
    await writeFile(values.out, text);
    io.stderr.write(`Wrote ${values.out}\n`);
  } else {
    io.stdout.write(text);
  }
  return 0;
};
