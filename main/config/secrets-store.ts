// secrets.json in the data dir: named secrets for verification and workflows (`hookline secrets set NAME`),
// kept apart from config.json so an exported config or workflow carries none. Mode 0600. The desktop
// shell may pass a cipher (Electron's safeStorage) so values are encrypted at rest.
import { join } from 'node:path';
import { Low } from 'lowdb';
import { AppError } from '../../common/errors';
import {
  READER_FRESHNESS_MS,
  createEditQueue,
  PrivateJsonFile,
  ensurePrivateDir,
  isJsonObject,
} from './private-json-file';

/** Secret names are identifiers, so workflows can say `secrets.SLACK_WEBHOOK_URL`. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Encrypts values before they reach the file and decrypts them after; both synchronous. */
export interface SecretCipher {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
}

export interface SecretsStore {
  readonly file: string;
  /** The value, or undefined when no secret has this name. */
  get(name: string): string | undefined;
  /** Sets or replaces a secret; resolves once written. Throws AppError('bad_request') for a bad name. */
  set(name: string, value: string): Promise<void>;
  /** Names only, sorted: values are never listed. */
  listNames(): string[];
  /** Returns false when no secret has this name. */
  delete(name: string): Promise<boolean>;
}

type SecretsFile = Record<string, string>;

/** Opens `<dataDir>/secrets.json` (created on the first `set`). Throws AppError('config_error') for a bad file. */
export async function openSecrets(
  dataDir: string,
  options: { cipher?: SecretCipher } = {},
): Promise<SecretsStore> {
  await ensurePrivateDir(dataDir);
  const file = join(dataDir, 'secrets.json');
  const adapter = new PrivateJsonFile<SecretsFile>(file);
  const db = new Low<SecretsFile>(adapter, {});
  await db.read();
  if (!isSecretsFile(db.data)) throw badFile(file);
  const cipher = options.cipher;

  /**
   * Picks up `hookline secrets set` run in another terminal while the app runs. Lenient for readers (keep
   * the last good values), strict for writers (never overwrite a file that could not be read).
   */
  const refresh = (strict: boolean): void => {
    try {
      const fresh: unknown = adapter.readIfChanged(strict ? 0 : READER_FRESHNESS_MS);
      if (fresh === undefined) return;
      if (fresh === null) db.data = {};
      else if (isSecretsFile(fresh)) db.data = fresh;
      else throw badFile(file);
    } catch (e: unknown) {
      if (strict) throw e;
    }
  };

  /** Edits a copy of the latest secrets and writes it; `fn` returns false to write nothing. */
  const write = createEditQueue({
    db,
    file,
    refresh: () => refresh(true),
    clone: (d: SecretsFile) => ({ ...d }),
  });

  return {
    file,
    get: (name) => {
      refresh(false);
      const stored = Object.hasOwn(db.data, name) ? db.data[name] : undefined;
      return stored === undefined || !cipher ? stored : cipher.decrypt(stored);
    },
    set: (name, value) => {
      if (!SECRET_NAME_PATTERN.test(name)) {
        return Promise.reject(
          new AppError(
            'bad_request',
            `'${name}' is not a secret name: use letters, digits and _, not starting with a digit`,
          ),
        );
      }
      const stored = cipher ? cipher.encrypt(value) : value;
      return write((s) => void (s[name] = stored));
    },
    listNames: () => {
      refresh(false);
      return Object.keys(db.data).sort();
    },
    delete: async (name) => {
      let found = false;
      await write((s) => {
        found = Object.hasOwn(s, name);
        delete s[name];
        return found;
      });
      return found;
    },
  };
}

function isSecretsFile(data: unknown): data is SecretsFile {
  return isJsonObject(data) && Object.values(data).every((v) => typeof v === 'string');
}

function badFile(file: string): AppError {
  return new AppError(
    'config_error',
    `${file} must be a JSON object of names to string values; fix it or move it aside; nothing was changed`,
  );
}
