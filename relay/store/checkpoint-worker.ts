// Moves WAL checkpoints off the event loop. A checkpoint copies the WAL into the database file
// and fsyncs it; done by the writing connection (SQLite's autocheckpoint) it stalls every capture
// for that time. Here a worker thread with its own connection runs PASSIVE checkpoints on a timer,
// which never block the writer; the writer keeps a high autocheckpoint as a backstop.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Pages in the WAL before the writing connection checkpoints itself (≈ 64 MiB at 4 KiB pages). */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 16_384;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); db.close(); } catch {}
  parentPort.close();
});
`;

export interface CheckpointWorker {
  stop(): Promise<void>;
}

/** Starts checkpointing `file` every `intervalMs` from a worker thread. */
export function startCheckpointWorker(file: string, intervalMs = 1000): CheckpointWorker {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs } });
  worker.unref();
  // A failed worker only means checkpoints fall back to the writer's backstop.
  worker.on('error', () => {});
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Keep the process alive until the worker has closed its connection.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
