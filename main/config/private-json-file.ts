// A lowdb adapter for the data dir's JSON files (config.json, secrets.json): human-readable, written
// atomically (lowdb's steno writer: temp file + rename), readable by the owner only (0600, tokens and
// secrets live in them), and a file that is not JSON is reported with its line and never overwritten.
import { readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { TextFile } from 'lowdb/node';
import { AppError } from '../../common/errors';
import { jsonErrorLine } from './json-error-line';

/** File mode of the JSON files: owner read/write only. */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of a data dir this module creates: owner only. An existing dir keeps its mode. */
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `dir` (and parents) with mode 0700 when missing. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** How stale a reader's view of another process's edit may be, in ms: edits show up within this. */
export const READER_FRESHNESS_MS = 250;

export class PrivateJsonFile<T> implements Adapter<T> {
  readonly #file: string;
  readonly #text: TextFile;
  /** steno's temp file, same folder: `.<name>.tmp`. */
  readonly #temp: string;
  /** Identity of the file as last read or written (inode, size, mtime): a change means another writer. */
  #stamp: string | undefined;

  constructor(file: string) {
    this.#file = file;
    this.#text = new TextFile(file);
    this.#temp = join(dirname(file), `.${basename(file)}.tmp`);
  }

  /** The parsed file, or null when it does not exist. Throws AppError('config_error') when it is not JSON. */
  async read(): Promise<T | null> {
    this.#stamp = this.#currentStamp(); // before reading, so a write that lands meanwhile is seen next time
    const text = await this.#text.read();
    return text === null ? null : this.#parse(text);
  }

  /**
   * The parsed file when another process changed it since this adapter last read or wrote it (null when
   * it was deleted); undefined when it is unchanged. Synchronous, so getters can stay synchronous: one
   * stat per call, or none when the last check is younger than `freshWithinMs` (readers on a hot path
   * pass a few hundred ms; writers pass 0 so they never build on a stale copy). Throws
   * AppError('config_error') when the changed file is not JSON.
   */
  readIfChanged(freshWithinMs = 0): T | null | undefined {
    const now = performance.now();
    if (freshWithinMs > 0 && now - this.#checkedAt < freshWithinMs) return undefined;
    this.#checkedAt = now;
    const stamp = this.#currentStamp();
    if (stamp === this.#stamp) return undefined;
    const data = stamp === undefined ? null : this.#parse(readFileSync(this.#file, 'utf8'));
    // Only once parsed: a broken file stays "changed", so the next writer checks it again and refuses.
    this.#stamp = stamp;
    return data;
  }

  async write(data: T): Promise<void> {
    // Create the temp file 0600 before steno writes into it, so the renamed file is never readable by
    // others, not even between the rename and the chmod below.
    await (await open(this.#temp, 'a', PRIVATE_FILE_MODE)).close();
    await chmod(this.#temp, PRIVATE_FILE_MODE);
    await this.#text.write(`${JSON.stringify(data, null, 2)}\n`);
    await chmod(this.#file, PRIVATE_FILE_MODE);
    this.#stamp = this.#currentStamp();
  }

  /** When the file was last stat'ed, in performance.now() ms. */
  #checkedAt = -Infinity;

  #parse(text: string): T {
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new AppError(
        'config_error',
        `${this.#file} is not valid JSON (line ${jsonErrorLine(text)}): fix it or move it aside; nothing was changed`,
      );
    }
  }

  #currentStamp(): string | undefined {
    try {
      const st = statSync(this.#file);
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return undefined;
    }
  }
}

/** True when `v` is a plain JSON object (not null, not an array). */
export function isJsonObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Serialised, all-or-nothing edits of a JSON file held by lowdb: each edit runs on a copy of the latest
 * data (`refresh` first picks up another process's changes), is written atomically, and only then becomes
 * current; a failed write leaves data and file as they were, and does not block the edits after it.
 * `fn` returns false to write nothing.
 */
export function createEditQueue<T>(options: {
  db: { data: T; write(): Promise<void> };
  file: string;
  refresh: () => void;
  clone: (data: T) => T;
}): (fn: (draft: T) => void | boolean) => Promise<void> {
  const { db, file, refresh, clone } = options;
  let queue: Promise<void> = Promise.resolve();
  return (fn) => {
    const next = queue.then(async () => {
      refresh();
      const previous = db.data;
      const draft = clone(previous);
      if (fn(draft) === false) return;
      db.data = draft;
      try {
        await db.write();
      } catch (e: unknown) {
        db.data = previous;
        throw new AppError(
          'config_error',
          `could not write ${file}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
    });
    queue = next.catch(() => undefined); // one failed edit must not block the ones after it
    return next;
  };
}
