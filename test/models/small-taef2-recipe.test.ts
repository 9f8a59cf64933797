/**
 * The small-taef2 recipe (models/small-taef2/): the teacher starts from the committed TAEF2 weights on the
 * small-taef2 preset; the distillation reads that teacher, uses the committed ST-LPIPS AlexNet at the paper's
 * weight 2, and its decay stage is the same run (same out, data, rank, seed) at a lower learning rate.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { perceptualKind } from '../../src/graphs/training/perceptual.js';
import { parsePretrainConfig } from '../../src/graphs/pretrain-config.js';
import { parseTrainConfig } from '../../src/graphs/train-config.js';

const dir = new URL('../../models/small-taef2/', import.meta.url).pathname;
const json = (f: string) => JSON.parse(readFileSync(dir + f, 'utf8')) as Record<string, unknown>;

describe('models/small-taef2 recipe', () => {
  it('teacher: small-taef2 preset, VAE from the committed TAEF2 weights, no VAE training', () => {
    const t = parsePretrainConfig(json('pretrain-unet.json'), 'pretrain-unet.json', dir);
    expect(t.preset).toBe('small-taef2');
    expect(t.vae.steps).toBe(0);
    expect(t.init?.vae).toMatch(/models\/taef2\/vae\.safetensors$/);
    expect(existsSync(t.init!.vae!)).toBe(true);
  });

  it('distillation: the teacher above, ST-LPIPS AlexNet at weight 2; the decay stage continues the same run', async () => {
    const t = parsePretrainConfig(json('pretrain-unet.json'), 'pretrain-unet.json', dir);
    const d = parseTrainConfig(json('distill.json'), 'distill.json', dir);
    const decay = parseTrainConfig(json('distill-decay.json'), 'distill-decay.json', dir);
    expect(d.teacher).toBe(`${t.out}/model`);
    expect(d.weights).toEqual({ mse: 1, lpips: 2, tavsd: 1 });
    expect(await perceptualKind(d.lpipsWeights!)).toBe('stlpips-alex');
    const { lr, fakeLr, steps, ...rest } = decay;
    const { lr: lr0, fakeLr: f0, steps: s0, ...rest0 } = d;
    expect(rest).toEqual(rest0);
    expect(lr).toBeLessThan(lr0);
    expect(fakeLr).toBeLessThan(f0);
    expect(steps).toBeGreaterThan(s0);
  });
});
