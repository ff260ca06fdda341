// A one-line progress bar for long CLI jobs (export, bulk replay). Draws only on a terminal, so piped
// output (`hookline export > file`, CI logs) stays clean.

/** Where the bar is drawn: process.stderr, or CliIo's stderr. */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
}

export interface Progress {
  /** Marks `n` more items done (default 1). */
  tick(n?: number): void;
  /** Sets the number of items done. */
  update(done: number): void;
  /** Draws the final state and ends the line. Later calls do nothing. */
  finish(): void;
}

export interface ProgressOptions {
  /** Bar width in characters, between the brackets. Default 30. */
  width?: number;
}

/**
 * A bar like `[###############               ] 50/100` on `stream`, redrawn in place with `\r`
 * at most once per 0.1 % of progress. Silent when the stream is not a TTY.
 */
export function createProgress(
  total: number,
  stream: ProgressStream,
  options: ProgressOptions = {},
): Progress {
  const width = Math.max(1, options.width ?? 30);
  const enabled = stream.isTTY === true;
  let done = 0;
  let lastStep = -1;
  let finished = false;

  const draw = (force: boolean): void => {
    if (!enabled || finished) return;
    const step = total > 0 ? Math.floor((done / total) * 1000) : 1000;
    if (!force && step === lastStep) return;
    lastStep = step;
    stream.write('\r' + renderProgress(done, total, width));
  };

  return {
    tick(n = 1) {
      done = Math.min(total, done + n);
      draw(done === total);
    },
    update(value) {
      done = Math.max(0, Math.min(total, value));
      draw(done === total);
    },
    finish() {
      if (!enabled || finished) return;
      draw(true);
      finished = true;
      stream.write('\n');
    },
  };
}

/** The bar's text for `done` of `total`, e.g. `[#####     ] 50/100` at width 10. */
export function renderProgress(done: number, total: number, width: number): string {
  const filled = total > 0 ? Math.floor((Math.min(done, total) / total) * width) : width;
  return `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`;
}
