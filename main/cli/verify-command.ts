// `hookline verify`: verify one request offline and print {"valid","provider","reason"}; exit 0 valid, 1 not.
import {
  parse,
  parseHeadersJson,
  readFileArg,
  secretConfigOf,
  SECRET_HELP,
  SECRET_OPTIONS,
  unixArg,
} from '../verify/cli-options';
import { inspectRequest } from '../verify/inspect';
import type { VerifiableRequest } from '../verify/types';
import { UsageError, type Command } from './cli-io';

const HELP = `Usage: hookline verify --provider P --secret S --headers FILE --body FILE [options]

Verifies one webhook request offline and prints {"valid":…,"provider":…,"reason":…}.
Exit status: 0 valid, 1 invalid (or unsigned, or no secret), 2 bad usage.

Options:
  --headers FILE        JSON object {"Name":"value"} or list of ["Name","value"] pairs
  --body FILE           the exact body bytes ('-' reads stdin)
  --url U               the public URL the sender called (Twilio, Square, HubSpot sign it)
  --method M            HTTP method (default POST)
  --now UNIX            check timestamps against this time, in seconds (default now)
${SECRET_HELP}
`;

async function readStdin(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

export const runVerifyCommand: Command = async (args, io) => {
  const { values } = parse(
    args,
    {
      ...SECRET_OPTIONS,
      headers: { type: 'string' },
      body: { type: 'string' },
      url: { type: 'string' },
      method: { type: 'string' },
      now: { type: 'string' },
    },
    false,
  );
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (values.headers === undefined) throw new UsageError('--headers FILE is required');
  if (values.body === undefined) throw new UsageError('--body FILE is required');
  const headers = parseHeadersJson((await readFileArg(values.headers, 'headers')).toString('utf8'));
  const body = values.body === '-' ? await readStdin(io.stdin) : await readFileArg(values.body, 'body');
  const config = await secretConfigOf(values);
  const now = values.now !== undefined ? unixArg(values.now, '--now') : Math.floor(Date.now() / 1000);
  let path = '/';
  let query = '';
  if (values.url !== undefined) {
    try {
      const u = new URL(values.url);
      path = u.pathname;
      query = u.search.replace(/^\?/, '');
    } catch {
      throw new UsageError(`--url '${values.url}' is not an absolute URL`);
    }
  }
  const req: VerifiableRequest = {
    method: (values.method ?? 'POST').toUpperCase(),
    path,
    query,
    headers,
    body: new Uint8Array(body),
  };
  if (values.url !== undefined) req.url = values.url;
  const result = inspectRequest(req, config, { now });
  const v = result.verification;
  const out = {
    valid: v.status === 'valid',
    provider: result.provider ?? null,
    reason: v.reason ?? null,
    status: v.status,
    ...(v.code ? { code: v.code } : {}),
    ...(result.eventType !== undefined ? { eventType: result.eventType } : {}),
    ...(result.eventId !== undefined ? { eventId: result.eventId } : {}),
  };
  io.stdout.write(`${JSON.stringify(out)}\n`);
  return out.valid ? 0 : 1;
};
