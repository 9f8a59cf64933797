/**
 * The distillation graph on a TAESD-family autoencoder (TAEF2's architecture at width 8, random weights, 32² crops): the
 * time-aware encoder's time layers and LoRA train, the decoder stays frozen, and the exported student runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelDir, writeModelDir } from '../../src/graphs/model-dir.js';
import { type TrainEvent, runTraining } from '../../src/graphs/train.js';
import { parseTrainConfig } from '../../src/graphs/train-config.js';
import { initParams } from '../../src/models/params.js';
import { presets, taef2Vae } from '../../src/models/presets.js';
import type { ModelSpec } from '../../src/models/specs.js';

const spec: ModelSpec = {
  unet: presets.tiny.unet,
  vae: { ...taef2Vae, blockOutChannels: [8, 8, 8, 8], latentChannels: 4 },
  tae: presets.tiny.tae!,
};
import { makeHqFolder } from '../helpers/hq-folder.js';

let hq: string;
const made: string[] = [];
beforeAll(async () => {
  hq = await makeHqFolder(2, 48);
});
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe('distillation graph on a TAESD autoencoder', () => {
  it('trains the TAE time layers and encoder LoRA, keeps the decoder frozen, writes a loadable student', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tadsr-run-'));
    made.push(out);
    const init = initParams(spec, 3);
    await writeModelDir(join(out, 'teacher'), spec, init, { teacherUnet: init.unet });
    const cfg = parseTrainConfig({ teacher: join(out, 'teacher'), data: { hq, patch: 32, batch: 1 }, out: join(out, 'run'), steps: 2, checkpointEvery: 2, lr: 1e-3, weights: { lpips: 0 } });
    const events: TrainEvent[] = [];
    await runTraining(cfg, {}, (e) => events.push(e));
    const steps = events.filter((e): e is Extract<TrainEvent, { type: 'step' }> => e.type === 'step');
    expect(steps).toHaveLength(2);
    for (const s of steps) expect(Number.isFinite(s.loss_student)).toBe(true);
    const m = await readModelDir(join(out, 'run', 'model'));
    expect(m.manifest.spec.vae.arch).toBe('taesd');
    const changed = (k: string) => {
      const a = m.weights.vae.get(k)!.data;
      const b = init.vae.get(k)!.data;
      return a.some((v, i) => v !== b[i]);
    };
    // zero-initialised time projection moved: the time path is in the loss
    expect(m.weights.vae.get('encoder.1.time_emb_proj.weight')!.data.some((v) => v !== 0)).toBe(true);
    expect(changed('encoder.time_embedding.linear_1.weight')).toBe(true);
    // encoder convs carry the merged LoRA update (B starts at zero, so after 2 steps A·B ≠ 0)
    expect(changed('encoder.5.conv.2.weight')).toBe(true);
    // the decoder is frozen
    for (const k of ['decoder.1.weight', 'decoder.3.pool.1.weight', 'decoder.19.weight']) expect(changed(k)).toBe(false);
  });
});
