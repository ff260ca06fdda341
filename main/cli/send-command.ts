// `hookline send`: send a correctly signed sample webhook to a URL, like `stripe trigger`.
import type { RawHeaders } from '../../common/model';
import {
  parse,
  readFileArg,
  secretConfigOf,
  SECRET_HELP,
  SECRET_OPTIONS,
  unixArg,
} from '../verify/cli-options';
import { signWebhook } from '../verify/inspect';
import { replaceHeaders } from '../verify/request-parts';
import { listSampleEvents, sampleEvent } from '../verify/samples';
import { UsageError, type Command } from './cli-io';

const HELP = `Usage: hookline send --provider P --secret S [--event NAME | --body FILE] URL

Sends a correctly signed sample webhook to URL and prints the target's status and body.
Exit status: 0 when the target answers 2xx, 1 otherwise, 2 bad usage.

Options:
  --event NAME          which sample (see --list); default the provider's first
  --body FILE           send this body instead of a sample (signed the same way)
  --content-type T      Content-Type for --body (default application/json)
  --header 'K: V'       extra header, repeatable (replaces a sample header of the same name)
  --method M            HTTP method (default POST)
  --public-url U        the URL the signature covers when it differs from URL (Twilio, Square, HubSpot)
  --now UNIX            sign with this time, in seconds (default now)
  --timeout MS          give up after this many milliseconds (default 30000)
  --list                list the sample events and exit
${SECRET_HELP}
`;

function headerArg(value: string): [string, string] {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new UsageError(`--header '${value}' must look like 'Name: value'`);
  return [value.slice(0, colon).trim(), value.slice(colon + 1).trim()];
}

export const runSendCommand: Command = async (args, io) => {
  const { values, positionals } = parse(
    args,
    {
      ...SECRET_OPTIONS,
      event: { type: 'string' },
      body: { type: 'string' },
      'content-type': { type: 'string' },
      header: { type: 'string', multiple: true },
      method: { type: 'string' },
      'public-url': { type: 'string' },
      now: { type: 'string' },
      timeout: { type: 'string' },
      list: { type: 'boolean' },
    },
    true,
  );
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (values.list) {
    for (const s of listSampleEvents()) {
      io.stdout.write(
        `${s.provider.padEnd(18)} ${s.eventName}${s.description ? `  — ${s.description}` : ''}\n`,
      );
    }
    return 0;
  }
  const config = await secretConfigOf(values);
  if (!config.provider) throw new UsageError('--provider is required');
  if (positionals.length !== 1) throw new UsageError('give exactly one target URL');
  const target = positionals[0]!;
  try {
    new URL(target);
  } catch {
    throw new UsageError(`'${target}' is not an absolute URL`);
  }
  if (values.event !== undefined && values.body !== undefined)
    throw new UsageError('give --event or --body, not both');
  const now = values.now !== undefined ? unixArg(values.now, '--now') : Math.floor(Date.now() / 1000);
  const method = (values.method ?? 'POST').toUpperCase();

  const sample = sampleEvent(config.provider, values.event, { now });
  let body = sample.body;
  let headers: RawHeaders = sample.headers;
  if (values.body !== undefined) {
    body = new Uint8Array(await readFileArg(values.body, 'body'));
    const kept = headers.filter(([n]) => n.toLowerCase() !== 'content-type');
    headers = [['Content-Type', values['content-type'] ?? 'application/json'], ...kept];
  }
  headers = replaceHeaders(headers, (values.header ?? []).map(headerArg));
  const signed = signWebhook(config.provider, config, {
    method,
    url: values['public-url'] ?? target,
    body,
    headers,
    now,
  });
  headers = replaceHeaders(headers, signed.headers);

  const timeoutMs = values.timeout !== undefined ? Number(values.timeout) : 30_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new UsageError('--timeout must be a positive number');
  io.stderr.write(
    `→ ${method} ${target} (${config.provider} ${values.body ? 'custom body' : sample.eventName}, ${signed.body.length} bytes)\n`,
  );
  let res: Response;
  try {
    res = await fetch(target, {
      method,
      headers: headers.map(([n, v]) => [n, v] as [string, string]),
      body: method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(signed.body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
  } catch (e: unknown) {
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : undefined;
    io.stderr.write(
      `hookline send: ${target} failed: ${cause ?? (e instanceof Error ? e.message : String(e))}\n`,
    );
    return 1;
  }
  const text = await res.text();
  io.stdout.write(
    `${res.status} ${res.statusText}\n${text}${text.endsWith('\n') || text === '' ? '' : '\n'}`,
  );
  return res.status >= 200 && res.status < 300 ? 0 : 1;
};
