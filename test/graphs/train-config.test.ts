import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTrainConfig } from '../../src/graphs/train-config.js';

const file = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tadsr-traincfg-'));
  const path = join(dir, 'distill.json');
  writeFileSync(path, JSON.stringify({ preset: 'tiny', data: { hq: 'hq' }, out: 'run', steps: 50, seed: 0 }));
  return path;
};

describe('loadTrainConfig overrides (tadsr train --seed/--steps/--out)', () => {
  it('keeps the file values without overrides, paths relative to the file', async () => {
    const path = file();
    const c = await loadTrainConfig(path);
    expect([c.seed, c.steps, c.out]).toEqual([0, 50, join(path, '..', 'run')]);
  });
  it('replaces seed, steps and out (out against the working directory)', async () => {
    const c = await loadTrainConfig(file(), { seed: 3, steps: 7, out: 'elsewhere/run-seed3' });
    expect([c.seed, c.steps, c.out]).toEqual([3, 7, resolve('elsewhere/run-seed3')]);
  });
  it('validates override values like file values, naming the key', async () => {
    await expect(loadTrainConfig(file(), { seed: Number('x') })).rejects.toThrow(/seed/);
    await expect(loadTrainConfig(file(), { steps: -1 })).rejects.toThrow(/steps/);
  });
});
