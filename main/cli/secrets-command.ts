// `hookline secrets set NAME [--value V]`, `secrets list`, `secrets delete NAME`. A value never appears in
// argv history unless the user passes --value: by default it is read from standard input.
import { AppError } from '../../common/errors';
import { openSecrets } from '../config/secrets-store';
import { parse } from './args';
import { UsageError, type Command } from './cli-io';
import { defaultDataDir } from './data-dir';

const HELP = `Usage: hookline secrets set NAME [--value V]    (value read from standard input when not given)
       hookline secrets list
       hookline secrets delete NAME

Secrets are kept in <data-dir>/secrets.json (mode 0600), apart from workflows and config.
Verification looks for <PROVIDER>_WEBHOOK_SECRET, e.g. STRIPE_WEBHOOK_SECRET or GITHUB_WEBHOOK_SECRET;
workflows read them as {{ secrets.NAME }}.

Options:
  --data-dir DIR   default ~/.hookline
`;

export const runSecretsCommand: Command = async (args, io) => {
  const { values, positionals } = parse(
    args,
    { value: { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean' } },
    true,
  );
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  const [sub, name, ...extra] = positionals;
  if (extra.length) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const secrets = await openSecrets(values['data-dir'] ?? defaultDataDir(io.env));
  switch (sub) {
    case 'set': {
      if (!name) throw new UsageError('secrets set needs a NAME');
      const value = values.value ?? (await readStdin(io.stdin)).replace(/\r?\n$/, '');
      if (!value) throw new UsageError(`no value for ${name}: pass --value or pipe it on standard input`);
      await secrets.set(name, value);
      io.stdout.write(`Saved ${name}.\n`);
      return 0;
    }
    case 'list':
    case undefined:
      for (const n of secrets.listNames()) io.stdout.write(`${n}\n`);
      return 0;
    case 'delete':
      if (!name) throw new UsageError('secrets delete needs a NAME');
      if (!(await secrets.delete(name))) throw new AppError('not_found', `no secret is named ${name}`);
      io.stdout.write(`Deleted ${name}.\n`);
      return 0;
    default:
      throw new UsageError(`unknown subcommand '${sub}' (set, list or delete)`);
  }
};

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}
