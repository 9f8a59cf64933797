/**
 * Classifier-free guidance of the teacher score (src/operators/score.ts) against the formula written out here:
 * ε_T = ε_u + s·(ε_c − ε_u), s = 7.5 + t_v/200, x0_T = (z_t − σ_v ε_T)/α_v — with a teacher whose ε depends on the
 * text condition, so a guidance scale that is ignored (or fixed) changes x0_T.
 */
import { firstValueFrom, from } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Backend, HostTensor, SubNetwork } from '../../src/backends/backend.js';
import { isFrameError } from '../../src/frame.js';
import { canScoreSync, score, scoresAt, scoresAtSync } from '../../src/operators/score.js';
import { FAKE_FACTS, FakeBackend } from '../helpers/fake-backend.js';
import { alphaBar } from '../helpers/reference-schedule.js';

/** The fake backend, with the teacher's ε shifted by the mean of its text condition. */
class TextTeacher extends FakeBackend {
  override async run(net: SubNetwork, inputs: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>> {
    const out = await super.run(net, inputs);
    const ctx = inputs['encoderHiddenStates'];
    if (net !== 'teacherUnet' || !ctx) return out;
    const shift = ctx.data.reduce((s, v) => s + v, 0) / ctx.data.length;
    const e = out['noisePred']!;
    return { noisePred: { shape: e.shape, data: e.data.map((v) => v + shift) } };
  }
}


describe('score with classifier-free guidance', () => {
  it('x0_teacher uses ε_u + (7.5 + t_v/200)(ε_c − ε_u); the fake score is unguided', async () => {
    const b = new TextTeacher();
    const n = 2 * 4 * 2 * 2;
    const zTv: HostTensor = { shape: [2, 4, 2, 2], data: Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1)) };
    const dim = FAKE_FACTS.crossAttentionDim!;
    const cond: HostTensor = { shape: [2, 1, dim], data: new Float32Array(2 * dim).fill(0.3) };
    const uncond: HostTensor = { shape: [2, 1, dim], data: new Float32Array(2 * dim).fill(-0.1) };
    const tV = 340;
    const frame = { id: 'a', tS: 680, tV, zTv, zHat: zTv, zL: zTv, noise: zTv };
    const out = await firstValueFrom(from([frame]).pipe(score(b, FAKE_FACTS, { fake: b, guidance: { cond, uncond } })));
    if (isFrameError(out)) throw new Error(out.message);
    expect(b.calls.filter((c) => c.net === 'teacherUnet')).toHaveLength(2);
    const ab = alphaBar(tV);
    const [alpha, sigma] = [Math.sqrt(ab), Math.sqrt(1 - ab)];
    const s = 7.5 + tV / 200;
    for (let i = 0; i < n; i++) {
      const z = zTv.data[i]!;
      const base = 0.2 * z + tV / 10000; // the fake backend's teacher ε before the text shift
      const eps = base - 0.1 + s * (base + 0.3 - (base - 0.1));
      expect(out.x0Teacher.data[i]).toBeCloseTo((z - sigma * eps) / alpha, 3);
      const epsF = 0.1 * z + tV / 10000;
      expect(out.x0Fake.data[i]).toBeCloseTo((z - sigma * epsF) / alpha, 4);
    }
  });

  it('classifier-free guidance per sample: each sample at its own t_v gets its own scale 7.5 + t_v/200; awaited and synchronous runs agree', async () => {
    /** ε per sample i: teacher 0.2·z + t_i/10000 + mean of sample i's condition; fake 0.1·z + t_i/10000 (sync and async). */
    class PerSample implements Backend {
      readonly info = { name: 'per-sample', runtime: 'test double' };
      runSync(net: SubNetwork, inputs: Readonly<Record<string, HostTensor>>): Record<string, HostTensor> {
        const z = inputs['sample']!;
        const t = inputs['timestep']!.data;
        const ctx = inputs['encoderHiddenStates'];
        const B = z.shape[0]!;
        const row = z.data.length / B;
        const crow = ctx ? ctx.data.length / B : 0;
        const shift = (i: number) => (ctx && net === 'teacherUnet' ? ctx.data.subarray(i * crow, (i + 1) * crow).reduce((a, v) => a + v, 0) / crow : 0);
        const k = net === 'unet' ? 0.1 : 0.2;
        return { eps: { shape: z.shape, data: z.data.map((v, j) => k * v + t[Math.floor(j / row)]! / 10000 + shift(Math.floor(j / row))) } };
      }
      async run(net: SubNetwork, inputs: Readonly<Record<string, HostTensor>>) {
        return this.runSync(net, inputs);
      }
      async dispose() {}
    }
    const b = new PerSample();
    const n = 2 * 4 * 2 * 2;
    const zTv: HostTensor = { shape: [2, 4, 2, 2], data: Float32Array.from({ length: n }, (_, i) => Math.cos(i + 2)) };
    const dim = 3;
    const cond: HostTensor = { shape: [1, 2, dim], data: new Float32Array(2 * dim).fill(0.4) };
    const uncond: HostTensor = { shape: [1, 2, dim], data: new Float32Array(2 * dim).fill(-0.2) };
    const tV = [120, 860];
    const facts = { ...FAKE_FACTS, crossAttentionDim: dim };
    const opts = { fake: b, guidance: { cond, uncond } };
    const got = await scoresAt(b, facts, zTv, tV, opts);
    expect(canScoreSync(b, opts)).toBe(true);
    expect(canScoreSync(new TextTeacher(), { fake: b })).toBe(false);
    const sync = scoresAtSync(b, facts, zTv, tV, opts);
    expect(sync.x0Teacher.data).toEqual(got.x0Teacher.data);
    expect(sync.x0Fake.data).toEqual(got.x0Fake.data);
    for (let i = 0; i < n; i++) {
      const t = tV[Math.floor(i / (n / 2))]!;
      const ab = alphaBar(t);
      const s = 7.5 + t / 200;
      const z = zTv.data[i]!;
      const base = 0.2 * z + t / 10000;
      const eps = base - 0.2 + s * (base + 0.4 - (base - 0.2));
      expect(got.x0Teacher.data[i]).toBeCloseTo((z - Math.sqrt(1 - ab) * eps) / Math.sqrt(ab), 3);
      expect(got.x0Fake.data[i]).toBeCloseTo((z - Math.sqrt(1 - ab) * (0.1 * z + t / 10000)) / Math.sqrt(ab), 4);
    }
  });
});
