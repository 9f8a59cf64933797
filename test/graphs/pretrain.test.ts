import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readModelDir } from '../../src/graphs/model-dir.js';
import { isDecoderParam, type PretrainEvent, runPretraining } from '../../src/graphs/pretrain.js';
import { parsePretrainConfig } from '../../src/graphs/pretrain-config.js';
import { makeHqFolder } from '../helpers/hq-folder.js';

let hq: string;
beforeAll(async () => {
  hq = await makeHqFolder(2, 40);
});

const cfg = (extra: Record<string, unknown> = {}) =>
  parsePretrainConfig({ preset: 'tiny', data: { hq, patch: 32, batch: 1 }, out: mkdtempSync(join(tmpdir(), 'tadsr-pre-')), vae: { steps: 6, lr: 2e-3 }, unet: { steps: 4, lr: 2e-3 }, checkpointEvery: 2, ...extra });

async function run(c: ReturnType<typeof cfg>, opts = {}) {
  const ev: PretrainEvent[] = [];
  await runPretraining(c, opts, (e) => ev.push(e));
  return ev;
}
const steps = (ev: PretrainEvent[], stage: string) => ev.filter((e): e is Extract<PretrainEvent, { type: 'step' }> => e.type === 'step' && e.stage === stage);

describe('teacher pre-training (tiny preset)', () => {
  it('trains the VAE then the UNet, losses finite, VAE loss falls, writes a teacher model dir', async () => {
    const c = cfg({ data: { hq, patch: 32, batch: 1, limit: 1 } });
    const ev = await run(c);
    const v = steps(ev, 'vae');
    const u = steps(ev, 'unet');
    expect(v).toHaveLength(6);
    expect(u).toHaveLength(4);
    for (const r of [...v, ...u]) expect(Number.isFinite(r.loss)).toBe(true);
    expect(v.at(-1)!.terms['l1']!).toBeLessThan(v[0]!.terms['l1']!);
    const m = await readModelDir(join(c.out, 'model'), { teacher: true });
    expect(m.teacherUnet).toBeDefined();
    expect(readFileSync(join(c.out, 'log.jsonl'), 'utf8').trim().split('\n')).toHaveLength(10);
  });
  it('resumes mid-stage with the same next step', async () => {
    const a = cfg({ vae: { steps: 4, lr: 2e-3 }, unet: { steps: 1, lr: 2e-3 } });
    const straight = steps(await run(a), 'vae');
    const b = { ...a, out: mkdtempSync(join(tmpdir(), 'tadsr-pre-')) };
    await run(b, { stopAfter: 2 });
    const resumed = await run(b, { resume: true });
    const rv = steps(resumed, 'vae');
    expect(rv.map((r) => r.step)).toEqual([3, 4]);
    expect(rv[0]!.loss).toBeCloseTo(straight[2]!.loss, 4);
    expect(rv[1]!.loss).toBeCloseTo(straight[3]!.loss, 4);
    expect(steps(resumed, 'unet')).toHaveLength(1);
  });
});

describe('VAE decoder fine-tuning and LPIPS', () => {
  it('vae.train "decoder" changes only decoder.* and post_quant_conv.*, from init weights, with LPIPS on', async () => {
    const first = cfg({ vae: { steps: 2, lr: 2e-3 }, unet: { steps: 0 } });
    await run(first);
    const init = join(first.out, 'model', 'vae.safetensors');
    const lpipsWeights = new URL('../fixtures/lpips/weights.safetensors', import.meta.url).pathname;
    const ft = cfg({ init: { vae: init }, vae: { steps: 3, lr: 2e-3, train: 'decoder', lpipsWeight: 0.5 }, unet: { steps: 0 }, lpipsWeights });
    const ev = await run(ft);
    const v = steps(ev, 'vae');
    expect(v).toHaveLength(3);
    for (const r of v) {
      expect(Number.isFinite(r.terms['lpips']!)).toBe(true);
      expect(r.loss).toBeCloseTo(r.terms['l1']! + 1e-6 * r.terms['kl']! + 0.5 * r.terms['lpips']!, 4);
    }
    const before = (await readModelDir(join(first.out, 'model'))).weights.vae;
    const after = (await readModelDir(join(ft.out, 'model'))).weights.vae;
    let decoderChanged = 0;
    for (const [k, t] of before) {
      const same = t.data.every((x, i) => x === after.get(k)!.data[i]);
      if (isDecoderParam(k)) decoderChanged += same ? 0 : 1;
      else expect(same, k).toBe(true);
    }
    expect(decoderChanged).toBeGreaterThan(10);
  });
  it('a vae.lpipsWeight without lpipsWeights is a config error that names both keys', () => {
    expect(() => cfg({ vae: { steps: 1, lpipsWeight: 1 } })).toThrow(/lpipsWeight.*lpipsWeights/);
  });
});
