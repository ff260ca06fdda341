// Builders for event store tests: a temp dir per test and requests with sensible defaults.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asAttemptId, asChannelId, asRequestId } from '../../../common/ids';
import type { Attempt, StoredRequest } from '../../../common/model';
import { openEventStore, type EventStore, type EventStoreOptions } from '../../../main/store/event-store';

export interface TempStore {
  store: EventStore;
  dir: string;
  file: string;
  reopen(options?: Partial<EventStoreOptions>): EventStore;
  cleanup(): void;
}

/** A store in a fresh temp dir; `cleanup` closes whatever is open and removes the dir. */
export function tempStore(options: Partial<EventStoreOptions> = {}): TempStore {
  const dir = mkdtempSync(join(tmpdir(), 'hookline-store-'));
  const file = join(dir, 'history.db');
  const open: EventStore[] = [];
  const openOne = (o: Partial<EventStoreOptions>): EventStore => {
    const s = openEventStore({ file, ...options, ...o });
    open.push(s);
    return s;
  };
  return {
    store: openOne({}),
    dir,
    file,
    reopen: (o = {}) => openOne(o),
    cleanup: () => {
      for (const s of open) s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** A request with a JSON body; override any field. Ids and seqs are unique per call unless given. */
export function aRequest(overrides: Partial<StoredRequest> & { json?: unknown } = {}): StoredRequest {
  counter++;
  const { json, ...rest } = overrides;
  return {
    id: asRequestId(`req_${counter}`),
    channelId: asChannelId('ch1'),
    seq: counter,
    method: 'POST',
    path: '/webhooks',
    query: '',
    headers: [['Content-Type', 'application/json']],
    body: new TextEncoder().encode(JSON.stringify(json ?? { n: counter })),
    receivedAt: 1_700_000_000_000 + counter,
    ...rest,
  };
}

/** An attempt at `requestId`, succeeded with 200 unless overridden. */
export function anAttempt(requestId: string, overrides: Partial<Attempt> = {}): Attempt {
  counter++;
  return {
    id: asAttemptId(`att_${counter}`),
    requestId: asRequestId(requestId),
    kind: 'forward',
    url: 'http://localhost:3000/webhooks',
    method: 'POST',
    requestHeaders: [['content-type', 'application/json']],
    startedAt: 1_700_000_100_000 + counter,
    durationMs: 12,
    status: 200,
    ...overrides,
  };
}
