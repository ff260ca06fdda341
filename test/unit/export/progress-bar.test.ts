import { describe, expect, it } from 'vitest';
import { createProgress, renderProgress } from '../../../main/export/progress-bar';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, write: (s: string) => writes.push(s) };
}

describe('createProgress', () => {
  it('draws the bar in place on a terminal and ends the line when finished', () => {
    const s = stream(true);
    const p = createProgress(100, s, { width: 10 });
    for (let i = 0; i < 50; i++) p.tick();
    expect(s.writes.at(-1)).toBe('\r[#####     ] 50/100');
    p.update(100);
    p.finish();
    p.finish();
    expect(s.writes.slice(-2)).toEqual(['\r[##########] 100/100', '\n']);
  });

  it('redraws at most once per 0.1 % of progress', () => {
    const s = stream(true);
    const p = createProgress(100_000, s);
    for (let i = 0; i < 100_000; i++) p.tick();
    expect(s.writes.length).toBeLessThanOrEqual(1001);
  });

  it('writes nothing when the stream is not a TTY', () => {
    const s = stream(false);
    const p = createProgress(10, s);
    p.tick(5);
    p.finish();
    expect(s.writes).toEqual([]);
  });

  it('renders an empty job as complete', () => {
    expect(renderProgress(0, 0, 4)).toBe('[####] 0/0');
  });
});
