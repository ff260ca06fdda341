// Turns SQLite failures into AppError('storage_error') with a message that names the file and says what
// the user can do. SQLite's own messages ("file is not a database") don't say which file, or what next.
import { AppError } from '../../common/errors';

/** SQLite result codes (primary or extended, as better-sqlite3 reports them in `e.code`). */
function sqliteCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** A readable AppError for a failure touching the store at `file`; AppErrors pass through unchanged. */
export function storageError(e: unknown, file: string): AppError {
  if (e instanceof AppError) return e;
  const code = sqliteCode(e) ?? '';
  const detail = e instanceof Error ? e.message : String(e);
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    return new AppError(
      'storage_error',
      `${file} is not a Hookline database or is corrupt: move it aside or delete it (${detail})`,
      { sqlite: code },
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new AppError(
      'storage_error',
      `${file} is locked by another process: close the other Hookline using this data dir, or pass another --data-dir`,
      { sqlite: code },
    );
  }
  if (code.startsWith('SQLITE_FULL')) {
    return new AppError(
      'storage_error',
      `the disk holding ${file} is full: free some space, or lower the retention limits; nothing was written`,
      { sqlite: code },
    );
  }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_PERM') ||
    code.startsWith('SQLITE_READONLY')
  ) {
    return new AppError(
      'storage_error',
      `${file} cannot be opened for writing: check that its folder exists and is writable (${detail})`,
      { sqlite: code },
    );
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return new AppError('storage_error', `reading or writing ${file} failed: ${detail}`, { sqlite: code });
  }
  return new AppError(
    'storage_error',
    `the event store at ${file} failed: ${detail}`,
    code ? { sqlite: code } : {},
  );
}

/** Runs `fn`, translating SQLite errors with storageError; anything else (a bug, an AppError) passes through. */
export function guarded<T>(file: string, fn: () => T): T {
  try {
    return fn();
  } catch (e: unknown) {
    if (sqliteCode(e)?.startsWith('SQLITE_')) throw storageError(e, file);
    throw e;
  }
}
