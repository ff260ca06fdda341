import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEventStore } from '../../../main/store/event-store';
import { storageError } from '../../../main/store/store-errors';
import { SCHEMA_VERSION } from '../../../main/store/store-schema';
import { aRequest, tempStore, type TempStore } from './store-fixtures';

let t: TempStore;
beforeEach(() => {
  t = tempStore();
});
afterEach(() => t.cleanup());

describe('opening the store', () => {
  it('creates the schema in an empty file and records its version', () => {
    const raw = new Database(t.file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('keeps the database and its WAL readable by the owner only', () => {
    t.store.insertRequests([aRequest()]);
    expect(statSync(t.file).mode & 0o777).toBe(0o600);
    expect(statSync(`${t.file}-wal`).mode & 0o777).toBe(0o600);
  });

  it('with background checkpoints, copies the WAL into the database file from a worker thread', async () => {
    const file = join(t.dir, 'background.db');
    let checkpointed!: (frames: number) => void;
    const firstCheckpoint = new Promise<number>((resolve) => (checkpointed = resolve));
    const store = openEventStore({
      file,
      backgroundCheckpoints: {
        intervalMs: 20,
        onCheckpoint: (r) => r.checkpointed > 0 && checkpointed(r.checkpointed),
      },
    });
    try {
      const before = statSync(file).size;
      // ~100 pages: far below SQLite's own autocheckpoint (1,000), so only the worker moves them.
      store.insertRequests(Array.from({ length: 200 }, () => aRequest({ json: { pad: 'x'.repeat(1500) } })));
      expect(await firstCheckpoint).toBeGreaterThan(50);
      expect(statSync(file).size).toBeGreaterThan(before + 200 * 1500);
    } finally {
      store.close();
    }
    const reopened = openEventStore({ file });
    expect(reopened.countRequests()).toBe(200);
    reopened.close();
  });

  it('migrates an existing empty SQLite file', () => {
    const file = join(t.dir, 'empty.db');
    new Database(file).close();
    const store = openEventStore({ file });
    expect(store.countRequests()).toBe(0);
    store.close();
  });

  it('keeps everything across a close and a reopen', () => {
    const r = aRequest();
    t.store.insertRequests([r]);
    t.store.close();
    const again = t.reopen();
    expect(again.getRequest(r.id)?.id).toBe(r.id);
    expect(again.lastSeq('ch1')).toBe(r.seq);
    expect(again.listRequests().items).toHaveLength(1);
  });

  it('refuses a file from a newer Hookline', () => {
    t.store.close();
    const raw = new Database(t.file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => t.reopen()).toThrow(/newer than this Hookline understands/);
  });

  it('says a corrupt file is not a Hookline database and what to do, naming the file', () => {
    const file = join(t.dir, 'corrupt.db');
    writeFileSync(
      file,
      'this is not sqlite at all, just some text that is long enough to look like a header',
    );
    let error: unknown;
    try {
      openEventStore({ file });
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'storage_error' });
    expect((error as Error).message).toContain(
      `${file} is not a Hookline database or is corrupt: move it aside or delete it`,
    );
  });

  it('refuses a SQLite file that belongs to something else', () => {
    const file = join(t.dir, 'other.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE requests (x)');
    raw.close();
    expect(() => openEventStore({ file })).toThrow(/other\.db is not a Hookline database or is corrupt/);
  });

  it('says when another process holds the database locked', () => {
    const holder = new Database(t.file);
    holder.exec('BEGIN EXCLUSIVE');
    const other = t.reopen({ busyTimeoutMs: 50 });
    try {
      expect(() => other.insertRequests([aRequest()])).toThrow(
        expect.objectContaining({
          code: 'storage_error',
          message: expect.stringMatching(/is locked by another process/),
        }),
      );
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('says when the disk is full', () => {
    // max_page_count makes SQLite report SQLITE_FULL exactly as a full disk does.
    const raw = new Database(join(t.dir, 'tiny.db'));
    raw.exec('CREATE TABLE x (b BLOB)');
    raw.pragma('max_page_count = 3');
    let error: unknown;
    try {
      raw.prepare('INSERT INTO x VALUES (?)').run(Buffer.alloc(64 * 1024));
    } catch (e: unknown) {
      error = storageError(e, 'tiny.db');
    }
    raw.close();
    expect(error).toMatchObject({ code: 'storage_error' });
    expect((error as Error).message).toMatch(/disk holding tiny.db is full: free some space/);
  });
});
