// The engine in-process, with its embedded relay: retention keeps the history within settings.retention.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../../main/engine/create-engine';
import { send } from '../../helpers/relay-http';

describe('engine retention', () => {
  let engine: Engine | undefined;
  afterEach(() => engine?.stop());

  it('deletes the oldest unpinned requests over the configured count, keeping pinned ones', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hookline-retention-'));
    engine = await createEngine({ dataDir, retentionIntervalMs: 50 });
    const seen: string[] = [];
    const all = new Promise<void>((resolve) =>
      engine!.on('request', (r) => {
        seen.push(r.id);
        if (seen.length === 6) resolve();
      }),
    );
    engine.start();
    for (let n = 0; n < 6; n++)
      expect((await send(engine.channel.url, { body: `{"n":${n}}` })).status).toBe(200);
    await all;
    engine.store.updateRequest(seen[0]!, { pinned: true });
    expect(engine.store.countRequests()).toBe(6);
    await engine.config.update((c) => void (c.settings.retention.maxCount = 3));
    await new Promise<void>((resolve) => engine!.once('retention', () => resolve()));
    const kept = engine.store.listRequests({ limit: 10 }).items.map((r) => r.id);
    expect(kept).toEqual([seen[5], seen[4], seen[0]]);
  });
});
