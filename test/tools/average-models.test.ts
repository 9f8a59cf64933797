/** tools/average-models.ts: the averaged folder holds the element-wise mean of every network, and it refuses mixes. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initModelDir, readModelDir } from '../../src/graphs/model-dir.js';
import { AverageModelsError, averageModels } from '../../tools/average-models.js';

const root = mkdtempSync(join(tmpdir(), 'tadsr-avg-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('average-models', () => {
  it('writes the mean of each tensor of the UNet and the VAE, with the first manifest', async () => {
    await initModelDir(join(root, 'a'), 'tiny', { seed: 1 });
    await initModelDir(join(root, 'b'), 'tiny', { seed: 2 });
    await initModelDir(join(root, 'c'), 'tiny', { seed: 3 });
    await averageModels([join(root, 'a'), join(root, 'b'), join(root, 'c')], join(root, 'avg'));
    const [a, b, c, m] = await Promise.all(['a', 'b', 'c', 'avg'].map((d) => readModelDir(join(root, d))));
    expect(m!.manifest.spec).toEqual(a!.manifest.spec);
    expect(m!.manifest.provenance['averageOf']).toContain(join(root, 'c'));
    for (const net of ['unet', 'vae'] as const) {
      expect([...m!.weights[net].keys()].sort()).toEqual([...a!.weights[net].keys()].sort());
      let checked = 0;
      for (const [k, t] of m!.weights[net]) {
        const xa = a!.weights[net].get(k)!.data, xb = b!.weights[net].get(k)!.data, xc = c!.weights[net].get(k)!.data;
        for (let i = 0; i < t.data.length; i += 97) {
          expect(t.data[i]).toBeCloseTo((xa[i]! + xb[i]! + xc[i]!) / 3, 5);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(10);
    }
    // seeds differ, so the mean differs from each source somewhere
    const k = [...a!.weights.unet.keys()].find((n) => n.endsWith('conv_in.weight'))!;
    expect(m!.weights.unet.get(k)!.data[0]).not.toBe(a!.weights.unet.get(k)!.data[0]);
  });

  it('refuses folders of different specs and fewer than two folders', async () => {
    await initModelDir(join(root, 'small'), 'small', { seed: 1 });
    await expect(averageModels([join(root, 'a'), join(root, 'small')], join(root, 'bad'))).rejects.toThrow(AverageModelsError);
    await expect(averageModels([join(root, 'a')], join(root, 'bad1'))).rejects.toThrow(/at least two/);
  });
});
