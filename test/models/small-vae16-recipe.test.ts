/**
 * The shipped model's recipe (models/small-vae16/): every stage config validates, all stages use the same spec
 * and data, the ablation configs differ from the full run only in the switches they name, and the shipped
 * models/default has exactly that spec.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePretrainConfig } from '../../src/graphs/pretrain-config.js';
import { parseTrainConfig } from '../../src/graphs/train-config.js';
import { validateModelSpec } from '../../src/models/schema.js';

const dir = new URL('../../models/small-vae16/', import.meta.url).pathname;
const json = (f: string) => JSON.parse(readFileSync(dir + f, 'utf8')) as Record<string, unknown>;

describe('models/small-vae16 recipe', () => {
  it('spec and pre-training configs validate and share spec and data', () => {
    const spec = validateModelSpec(json('spec.json'));
    expect(spec.vae.latentChannels).toBe(spec.unet.inChannels);
    const vae = parsePretrainConfig(json('pretrain-vae.json'), 'pretrain-vae.json', dir);
    const unet = parsePretrainConfig(json('pretrain-unet.json'), 'pretrain-unet.json', dir);
    expect(vae.spec).toBe(`${dir}spec.json`);
    expect(unet.spec).toBe(vae.spec);
    expect(unet.data.hq).toBe(vae.data.hq);
    expect(vae.unet.steps).toBe(0);
    expect(unet.vae.steps).toBe(0);
    expect(unet.init?.vae).toBe(`${vae.out}/model/vae.safetensors`);
  });

  it('decoder fine-tune: only the decoder, from the stage-1 VAE, carrying the teacher UNet unchanged', () => {
    const vae = parsePretrainConfig(json('pretrain-vae.json'), 'pretrain-vae.json', dir);
    const unet = parsePretrainConfig(json('pretrain-unet.json'), 'pretrain-unet.json', dir);
    const ft = parsePretrainConfig(json('decoder-ft.json'), 'decoder-ft.json', dir);
    expect(ft.vae.train).toBe('decoder');
    expect(ft.spec).toBe(vae.spec);
    expect(ft.init?.vae).toBe(unet.init?.vae);
    expect(ft.init?.unet).toBe(`${unet.out}/model/unet.safetensors`);
    expect(ft.unet.steps).toBe(0);
  });

  it('distillation configs: the ablations differ from the full run only in tae / tavsd / out / steps', () => {
    const full = parseTrainConfig(json('distill-full.json'), 'distill-full.json', dir);
    expect([full.tae, full.tavsd]).toEqual([true, true]);
    const ablationSteps = parseTrainConfig(json('distill-baseline.json'), 'baseline', dir).steps;
    // The ablation's "full" row is the shipped run at the same step (its checkpoint / model at that step).
    expect(ablationSteps).toBeLessThanOrEqual(full.steps);
    expect(ablationSteps % full.checkpointEvery).toBe(0);
    const expected: Record<string, [boolean, boolean]> = { baseline: [false, false], 'no-tae': [false, true], 'no-tavsd': [true, false] };
    for (const [name, [tae, tavsd]] of Object.entries(expected)) {
      const c = parseTrainConfig(json(`distill-${name}.json`), name, dir);
      expect([c.tae, c.tavsd], name).toEqual([tae, tavsd]);
      expect(c.steps, name).toBe(ablationSteps);
      expect({ ...c, tae: true, tavsd: true, out: full.out, steps: full.steps }, name).toEqual(full);
    }
  });

  it('distill-ft continues the full run past its last step with the fine-tuned decoder, nothing else changed', () => {
    const full = parseTrainConfig(json('distill-full.json'), 'distill-full.json', dir);
    const ft = parseTrainConfig(json('distill-ft.json'), 'distill-ft.json', dir);
    const dec = parsePretrainConfig(json('decoder-ft.json'), 'decoder-ft.json', dir);
    expect(ft.teacher).toBe(`${dec.out}/model`);
    expect(ft.steps).toBeGreaterThan(full.steps);
    expect(readFileSync(`${dir}train.sh`, 'utf8')).toContain(`distill-full/checkpoints/step-000${full.steps}`);
    expect({ ...ft, teacher: full.teacher, out: full.out, steps: full.steps }).toEqual(full);
  });
});
