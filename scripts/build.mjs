#!/usr/bin/env node
// Bundles the CLI (and so the engine and relay) into dist/ with esbuild, so `hookline` starts in a
// fraction of the time tsx needs to compile on the fly. bin/hookline.mjs uses dist/ only while it is
// newer than every source file, so an edit is never hidden by a stale build.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist/cli', { recursive: true, force: true });
await build({
  entryPoints: { main: 'main/cli/main.ts' },
  outdir: 'dist/cli',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
