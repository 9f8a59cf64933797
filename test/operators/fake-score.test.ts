/**
 * The fake score's update as an operator (src/operators/fake-score.ts) against the formula written out here: per
 * sample i, z_t = α(t_i)·ẑ_i + σ(t_i)·n_i with n standard normal from the frame's own seeded stream, and the trainer
 * is asked to fit ε_φ(z_t, t) to n. A trainer that records what it is given checks the operator's side; the
 * TF.js trainer over the distillation nets (what `tadsr train` uses) checks that the loss it minimises is
 * MSE(ε_fake(z_t, t), n) and that one step moves the fake score's LoRA only.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { firstValueFrom, from, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/backends/backend.js';
import { AdamW } from '../../src/backends/tfjs/train/adamw.js';
import { createTfjsNetOps } from '../../src/backends/tfjs/tfjs-net-ops.js';
import { isFrameError } from '../../src/frame.js';
import { fakeScoreTrainer } from '../../src/graphs/training/fake-score.js';
import { DistillNets } from '../../src/graphs/training/nets.js';
import { modelFacts } from '../../src/models/model-facts.js';
import { initParams } from '../../src/models/params.js';
import { presets } from '../../src/models/presets.js';
import { type FakeScoreTrainer, fakeScore, updateFakeScore } from '../../src/operators/fake-score.js';
import { FAKE_FACTS } from '../helpers/fake-backend.js';
import { alphaBar } from '../helpers/reference-schedule.js';


class RecordingTrainer implements FakeScoreTrainer {
  readonly got: { zt: HostTensor; t: readonly number[]; noise: HostTensor }[] = [];
  step(zt: HostTensor, t: readonly number[], noise: HostTensor) {
    this.got.push({ zt, t, noise });
    return { loss: 0.25 * this.got.length, gradNorm: 2 };
  }
}

const latent = (b: number, seed: number, h = 3, w = 2): HostTensor => ({ shape: [b, 4, h, w], data: Float32Array.from({ length: b * 4 * h * w }, (_, i) => Math.sin(i * 0.7 + seed)) });

describe('fake-score update operator', () => {
  it('fake-score update: z_t = α(t_i)ẑ_i + σ(t_i)n_i per sample, n the frame\'s seeded standard normal, target n', async () => {
    const trainer = new RecordingTrainer();
    const frames = [
      { id: 'a', zHat: latent(2, 0), tFake: [3, 870] },
      { id: 'b', zHat: latent(1, 1), tFake: 500 },
    ];
    const out = await firstValueFrom(from(frames).pipe(fakeScore(trainer, FAKE_FACTS, { seed: 9 }), toArray()));
    expect(out.map((f) => (isFrameError(f) ? f.message : [f.id, f.fakeLoss, f.fakeGradNorm]))).toEqual([['a', 0.25, 2], ['b', 0.5, 2]]);
    expect(trainer.got.map((g) => g.t)).toEqual([[3, 870], [500]]);
    for (const [k, frame] of frames.entries()) {
      const { zt, noise } = trainer.got[k]!;
      const B = frame.zHat.shape[0]!;
      const row = frame.zHat.data.length / B;
      const ts = typeof frame.tFake === 'number' ? [frame.tFake] : frame.tFake;
      const n = noise.data;
      const mean = n.reduce((s, v) => s + v, 0) / n.length;
      expect(Math.abs(mean), 'noise about zero-mean').toBeLessThan(0.6);
      expect(n.some((v) => v !== 0)).toBe(true);
      for (let i = 0; i < frame.zHat.data.length; i++) {
        const ab = alphaBar(ts[Math.floor(i / row)]!);
        expect(zt.data[i]).toBeCloseTo(Math.sqrt(ab) * frame.zHat.data[i]! + Math.sqrt(1 - ab) * n[i]!, 5);
      }
    }
    // the noise is the frame's own stream: same (seed, id) → same noise; another seed → other noise
    const again = await updateFakeScore(new RecordingTrainer(), FAKE_FACTS, frames[0]!.zHat, [3, 870], { seed: 9, id: 'a' });
    expect(again.gradNorm).toBe(2);
    const t2 = new RecordingTrainer();
    await updateFakeScore(t2, FAKE_FACTS, frames[0]!.zHat, [3, 870], { seed: 10, id: 'a' });
    expect(t2.got[0]!.noise.data).not.toEqual(trainer.got[0]!.noise.data);
    await expect(updateFakeScore(t2, FAKE_FACTS, frames[0]!.zHat, [1, 2, 3], { seed: 0, id: 'a' })).rejects.toThrow(/3 fake-score timesteps for a batch of 2/);
  });

  describe('with the TF.js trainer of `tadsr train`', () => {
    beforeAll(async () => {
      await tf.setBackend('cpu');
    });

    it('fake-score update on the distillation nets: the loss is MSE(ε_fake(z_t, t), n) per sample; only the fake LoRA moves', async () => {
      const spec = presets.tiny;
      const weights = initParams(spec, 2);
      const nets = new DistillNets(createTfjsNetOps({ heavy: 'tfjs' }), { spec, weights, teacherUnet: weights.unet, tae: true, loraRank: 2, loraAlpha: 4, seed: 1 });
      const opt = new AdamW(nets.fakeVars, { lr: 1e-2 });
      try {
        let s = 70;
        for (const [k, v] of nets.fakeVars) if (k.includes('lora_B')) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.05, 'float32', s++)));
        const zHat = latent(2, 3, 4, 4);
        const ts = [40, 900];
        const rec = new RecordingTrainer();
        await updateFakeScore(rec, modelFacts(spec), zHat, ts, { seed: 4, id: 'step-0' });
        const { zt, noise } = rec.got[0]!;
        // the loss written out: mean over samples of each sample's MSE (equal sizes), the fake score at each sample's t
        const want = tf.tidy(() => {
          const rows = ts.map((t, i) => {
            const z = tf.slice(tf.tensor(zt.data, [...zt.shape]), [i, 0, 0, 0], [1, -1, -1, -1]);
            const n = tf.slice(tf.tensor(noise.data, [...noise.shape]), [i, 0, 0, 0], [1, -1, -1, -1]);
            return tf.mean(tf.square(tf.sub(nets.fakeEps(z, t), n))).dataSync()[0]!;
          });
          return (rows[0]! + rows[1]!) / 2;
        });
        const before = new Map([...nets.fakeVars].map(([k, v]) => [k, Float32Array.from(v.dataSync())]));
        const student = new Map([...nets.studentVars].map(([k, v]) => [k, Float32Array.from(v.dataSync())]));
        const got = await updateFakeScore(fakeScoreTrainer(nets, opt), modelFacts(spec), zHat, ts, { seed: 4, id: 'step-0' });
        expect(got.loss).toBeCloseTo(want, 5);
        expect(got.gradNorm).toBeGreaterThan(0);
        const moved = [...nets.fakeVars].filter(([k, v]) => v.dataSync().some((x, i) => x !== before.get(k)![i]));
        expect(moved.length, 'fake LoRA tensors updated').toBe(nets.fakeVars.size);
        expect([...nets.studentVars].every(([k, v]) => v.dataSync().every((x, i) => x === student.get(k)![i])), 'the student is untouched').toBe(true);
      } finally {
        opt.dispose();
        nets.dispose();
      }
    });
  });
});
