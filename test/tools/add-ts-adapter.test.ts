/**
 * tools/add-ts-adapter.ts on a real (tiny) fine-tune: the folder it writes is the fine-tune's start at t_s ≤ from
 * and exactly what `tadsr train` exported at t_s ≥ to; a checkpoint from another start is refused.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxBackend } from '../../src/backends/onnx/onnx-backend.js';
import type { HostTensor } from '../../src/backends/backend.js';
import { initModelDir, readModelDir } from '../../src/graphs/model-dir.js';
import { runTraining } from '../../src/graphs/train.js';
import { parseTrainConfig } from '../../src/graphs/train-config.js';
import type { ModelWeights } from '../../src/models/params.js';
import { applyTsAdapter } from '../../src/models/ts-adapter.js';
import { addTsAdapter } from '../../tools/add-ts-adapter.js';
import { relativeError } from '../fixtures/parity/load-fixture.js';
import { makeHqFolder } from '../helpers/hq-folder.js';

let hq: string;
let root: string;
let teacher: string;
beforeAll(async () => {
  hq = await makeHqFolder(2, 48);
  root = mkdtempSync(join(tmpdir(), 'tadsr-tsa-'));
  teacher = join(root, 'teacher');
  await initModelDir(teacher, 'tiny', { seed: 4 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Train `name` and write its config beside it (the tool reads a config file). */
async function train(name: string, extra: Record<string, unknown>): Promise<string> {
  const json = { teacher, data: { hq, patch: 32 }, out: join(root, name), lr: 2e-3, fakeLr: 1e-3, steps: 2, checkpointEvery: 2, loraRank: 4, loraAlpha: 16, ...extra };
  await runTraining(parseTrainConfig(json), {}, () => {});
  const path = join(root, `${name}.json`);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

const maxAbsDiff = (a: ModelWeights['unet'], b: ModelWeights['unet']) => {
  let m = 0;
  for (const [k, t] of b) t.data.forEach((v, i) => (m = Math.max(m, Math.abs(v - a.get(k)!.data[i]!))));
  return m;
};

describe('tools/add-ts-adapter.ts', () => {
  it('start model at t_s ≤ from, the exported fine-tune at t_s ≥ to', async () => {
    await train('start', {});
    const start = join(root, 'start', 'model');
    const ftConfig = await train('ft', { init: start, tsRange: { min: 600, max: 999 } });
    const out = join(root, 'dial');
    const r = await addTsAdapter({ config: ftConfig, from: 300, to: 500, out });
    expect(r.step).toBe(2);
    expect(r.unet).toBeGreaterThan(10);
    const [dial, s, ft] = await Promise.all([readModelDir(out), readModelDir(start), readModelDir(join(root, 'ft', 'model'))]);
    expect(dial.manifest.tsAdapter).toEqual({ from: 300, to: 500 });
    expect(maxAbsDiff(dial.weights.unet, s.weights.unet)).toBe(0);
    for (const net of ['unet', 'vae'] as const) {
      // alpha/r = 4 here: a tool that forgot the LoRA scale would be off by far more
      expect(maxAbsDiff(applyTsAdapter(dial.weights[net], dial.weights.tsAdapter![net], 1), ft.weights[net]), net).toBeLessThan(1e-5);
      expect(maxAbsDiff(s.weights[net], ft.weights[net]), `${net}: the fine-tune moved`).toBeGreaterThan(1e-4);
    }
    const backends = await Promise.all([dial, s, ft].map((m) => createOnnxBackend(m.manifest.spec, m.weights, { providers: ['cpu'], threads: 1 })));
    try {
      const sample: HostTensor = { shape: [1, 3, 32, 32], data: Float32Array.from({ length: 3072 }, (_, i) => Math.sin(i * 0.05)) };
      const enc = async (b: (typeof backends)[number], t: number) => (await b.run('timeAwareEncoder', { sample, timestep: { shape: [1], data: Float32Array.of(t) } }))['moments']!.data;
      expect(relativeError(await enc(backends[0]!, 100), await enc(backends[1]!, 100))).toBeLessThan(1e-6);
      expect(relativeError(await enc(backends[0]!, 800), await enc(backends[2]!, 800))).toBeLessThan(1e-4);
    } finally {
      for (const b of backends) await b.dispose();
    }
  });

  it('refuses a checkpoint trained from another start, and a config without init', async () => {
    const other = await train('other', { init: teacher });
    const json = { teacher, data: { hq, patch: 32 }, out: join(root, 'other'), init: join(root, 'start', 'model'), loraRank: 4, loraAlpha: 16 };
    const wrong = join(root, 'wrong.json');
    writeFileSync(wrong, JSON.stringify(json));
    await expect(addTsAdapter({ config: wrong, from: 300, to: 500, out: join(root, 'x') })).rejects.toThrow(/was not trained from/);
    const noInit = join(root, 'noinit.json');
    writeFileSync(noInit, JSON.stringify({ ...json, init: undefined }));
    await expect(addTsAdapter({ config: noInit, from: 300, to: 500, out: join(root, 'y') })).rejects.toThrow(/has no "init"/);
    await expect(addTsAdapter({ config: other, from: 500, to: 300, out: join(root, 'z') })).rejects.toThrow(/0 ≤ F < T ≤ 999/);
  });
});
