// Option handling shared by `hookline verify` and `hookline send`: files, header lists, secrets.
import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { RawHeaders } from '../../common/model';
import { UsageError } from '../cli/cli-io';
import { resolveProviderId } from './registry';
import { PROVIDER_IDS, type ProviderId, type SecretConfig } from './types';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The secret-related options both commands take. */
export const SECRET_OPTIONS = {
  provider: { type: 'string' },
  secret: { type: 'string' },
  'public-key': { type: 'string' },
  'private-key': { type: 'string' },
  certificate: { type: 'string' },
  'webhook-id': { type: 'string' },
  'signing-token': { type: 'string' },
  tolerance: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export const SECRET_HELP = `  --provider P          ${PROVIDER_IDS.join(', ')} (also svix, clerk, resend)
  --secret S            HMAC secret or token; for Discord/SendGrid also the public key
  --public-key K        public key (Discord hex, SendGrid base64 DER or PEM, whpk_…)
  --private-key FILE    PEM private key to sign asymmetric schemes (Discord, SendGrid, PayPal)
  --certificate FILE    PayPal signing certificate or public key (PEM); never fetched
  --webhook-id ID       PayPal webhook id
  --signing-token T     GitLab signing token (whsec_…)
  --tolerance SEC       timestamp tolerance in seconds (0 skips the time check)
  -h, --help            show this help`;

/** parseArgs that reports bad options as usage errors. */
export function parse<T extends Options>(args: string[], options: T, allowPositionals: boolean) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (e: unknown) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

export async function readFileArg(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e: unknown) {
    const code = (e as { code?: string }).code ?? 'error';
    throw new UsageError(`cannot read ${what} file '${path}' (${code})`);
  }
}

/** A header file: a JSON object (values may be arrays for repeated headers) or a list of [name, value] pairs. */
export function parseHeadersJson(text: string): RawHeaders {
  let data: unknown;
  try {
    data = JSON.parse(text) as unknown;
  } catch {
    throw new UsageError('--headers must be a JSON object or a list of [name, value] pairs');
  }
  const out: RawHeaders = [];
  if (Array.isArray(data)) {
    for (const item of data) {
      if (!Array.isArray(item) || item.length !== 2 || typeof item[0] !== 'string') {
        throw new UsageError('--headers list items must be [name, value] pairs');
      }
      out.push([item[0], String(item[1])]);
    }
    return out;
  }
  if (typeof data !== 'object' || data === null)
    throw new UsageError('--headers must be a JSON object or list');
  for (const [name, value] of Object.entries(data)) {
    for (const v of Array.isArray(value) ? value : [value]) out.push([name, String(v)]);
  }
  return out;
}

export function providerArg(value: string | undefined): ProviderId | undefined {
  if (value === undefined) return undefined;
  const id = resolveProviderId(value);
  if (!id) throw new UsageError(`unknown provider '${value}'; known: ${PROVIDER_IDS.join(', ')}`);
  return id;
}

export function unixArg(value: string, name: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a unix time in seconds`);
  const n = Number(value);
  if (n > 1e11) throw new UsageError(`${name} ${value} looks like milliseconds; give seconds`);
  return n;
}

/** The SecretConfig the secret options describe; key files are read here. */
export async function secretConfigOf(values: {
  provider?: string;
  secret?: string;
  'public-key'?: string;
  'private-key'?: string;
  certificate?: string;
  'webhook-id'?: string;
  'signing-token'?: string;
  tolerance?: string;
}): Promise<SecretConfig> {
  const config: SecretConfig = {};
  const provider = providerArg(values.provider);
  if (provider) config.provider = provider;
  if (values.secret !== undefined) config.secret = values.secret;
  if (values['public-key'] !== undefined) config.publicKey = values['public-key'];
  if (values['private-key'] !== undefined) {
    config.privateKey = (await readFileArg(values['private-key'], 'private key')).toString('utf8');
  }
  if (values.certificate !== undefined) {
    config.certificate = (await readFileArg(values.certificate, 'certificate')).toString('utf8');
  }
  if (values['webhook-id'] !== undefined) config.webhookId = values['webhook-id'];
  if (values['signing-token'] !== undefined) config.signingToken = values['signing-token'];
  if (values.tolerance !== undefined) {
    if (!/^\d+$/.test(values.tolerance)) throw new UsageError('--tolerance must be whole seconds');
    config.toleranceSec = Number(values.tolerance);
  }
  return config;
}
