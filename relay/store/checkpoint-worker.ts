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
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    if (workerData.report) parentPort.postMessage({ walFrames: r.log, checkpointed: r.checkpointed });
  } catch {}
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

export interface CheckpointOptions {
  /** Time between checkpoints, in ms (default 1000). */
  intervalMs?: number;
  /** After each checkpoint: frames in the WAL and how many of them are now in the database file. */
  onCheckpoint?: (result: { walFrames: number; checkpointed: number }) => void;
}

/** Starts checkpointing `file` every `intervalMs` from a worker thread. */
export function startCheckpointWorker(file: string, options: CheckpointOptions = {}): CheckpointWorker {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const { intervalMs = 1000, onCheckpoint } = options;
  const workerData = { file, driver, intervalMs, report: onCheckpoint !== undefined };
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
  worker.unref();
  if (onCheckpoint) worker.on('message', onCheckpoint);
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
