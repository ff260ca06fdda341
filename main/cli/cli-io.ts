// What a CLI command may touch of its environment, passed in so commands run in tests without a process.
import type { Readable } from 'node:stream';

export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  stdin: Readable;
  env: Record<string, string | undefined>;
  /** Resolves when the user asks the command to stop (SIGINT/SIGTERM). */
  stopSignal: Promise<void>;
}

/** A command: parses its own args, returns the process exit code (0 ok, 1 failure, 2 bad usage). */
export type Command = (args: string[], io: CliIo) => Promise<number>;

/** Thrown for bad usage: the CLI prints the message and the command's --help hint, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
