import { homedir } from 'node:os';
import { join } from 'node:path';

/** `--data-dir` default: $HOOKLINE_DATA_DIR, else ~/.hookline. */
export function defaultDataDir(env: Record<string, string | undefined>): string {
  return env.HOOKLINE_DATA_DIR ?? join(homedir(), '.hookline');
}
