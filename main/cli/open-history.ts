// Opens the local history for the read-only commands (requests, replay, export) with one clear
// message when there is none yet.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../common/errors';
import { openEventStore } from '../store/event-store';
import type { EventStore } from '../store/store-types';

export function historyFile(dataDir: string): string {
  return join(dataDir, 'history.db');
}

export function openHistory(dataDir: string): EventStore {
  const file = historyFile(dataDir);
  if (!existsSync(file)) {
    throw new AppError(
      'not_found',
      `no history in ${dataDir} yet: run 'hookline listen' first, or pass --data-dir`,
    );
  }
  return openEventStore({ file });
}

/** Runs `fn` with the history open, closing it whatever happens. */
export async function withHistory<T>(dataDir: string, fn: (store: EventStore) => Promise<T> | T): Promise<T> {
  const store = openHistory(dataDir);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
