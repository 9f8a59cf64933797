/**
 * Wiring of the distillation step (src/graphs/train.ts `trainStep`) against a reference written here from the
 * paper's formulas and the official code, on the tiny preset: per sample i (its own t_s,i, t_v,i, t_f,i), the
 * gradients the two optimizers receive must equal the gradients of
 *
 *   ẑ = (z_L − σ_s ε_s)/α_s  ('ddpm-x0')  or  z_L/α_s − ε_s  ('official'),  z_L = (μ + σ_E·n_E)·scale of E_TAE(x, t_s)
 *   SR = clamp(D(ẑ), −1, 1)
 *   L_student = w_mse·mean_i MSE(G_{t_s,i} ∗ SR_i, G_{t_s,i} ∗ x_H,i) + w_tavsd·MSE(ẑ, sg(ẑ − (x0_fake − x0_teacher)/mean|ẑ − x0_teacher|))
 *   x0_· = (z_{t_v} − σ_v ε_·(z_{t_v}, t_v))/α_v,  z_{t_v} = α_v·sg(ẑ) + σ_v·n,  t_v = ⌊λ t_s + γ⌋
 *   L_fake = MSE(ε_fake(α_f sg(ẑ) + σ_f n_f, t_f), n_f)   (fake LoRA includes conv_in)
 *
 * and t_s,i, t_f,i are the official per-sample draws (the second case runs the documented deviations instead:
 * one draw per step, no clamp, posterior mean).
 *
 * The reference builds the networks itself (models/unet.ts, models/vae.ts over the same variables, its own LoRA
 * lookup, its own ᾱ table and blur parameters), so a wrong timestep, coefficient, sign, kernel or a missing
 * time-aware encoder anywhere in the step changes the gradients and fails an assertion. Every zero-initialised
 * trainable part (LoRA B, TAE time_emb_proj) is perturbed first, so every path carries gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickTfjsRuntime } from '../../src/backends/tfjs/runtime.js';
import { createTfjsNetOps } from '../../src/backends/tfjs/tfjs-net-ops.js';
import { Rng } from '../../src/random/rng.js';
import { runTraining, trainStep } from '../../src/graphs/train.js';
import { readLatestCheckpoint } from '../../src/graphs/training/run-files.js';
import { type TrainConfig, parseTrainConfig } from '../../src/graphs/train-config.js';
import { AdamW } from '../../src/backends/tfjs/train/adamw.js';
import { HqDataset } from '../../src/graphs/training/hq-dataset.js';
import { DistillNets, type Timesteps } from '../../src/graphs/training/nets.js';
import { gaussianBlurNCHW } from '../../src/losses/blur.js';
import type { Backend, HostTensor } from '../../src/backends/backend.js';
import { distillScoreBackend } from '../../src/graphs/training/nets-backend.js';
import type { LoraLookup } from '../../src/models/layers.js';
import type { NetOps } from '../../src/models/net-ops.js';
import { type ModelWeights, type WeightMap, initParams } from '../../src/models/params.js';
import { presetByName } from '../../src/models/presets.js';
import { unetForward } from '../../src/models/unet.js';
import { vaeDecode, vaeEncode } from '../../src/models/vae.js';
import { bicubicUpsample } from '../../src/resize/bicubic-upsample.js';
import { imageToNchw } from '../../src/losses/image-nchw.js';
import { OFFICIAL_TS } from '../../src/schedule/timesteps.js';
import { makeHqFolder } from '../helpers/hq-folder.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** ᾱ_t of SD's scaled-linear schedule, computed here in float64 (independent of src/schedule). */
const ALPHAS_CUMPROD = (() => {
  const a = Math.sqrt(0.00085);
  const b = Math.sqrt(0.012);
  const out = new Float64Array(1000);
  let p = 1;
  for (let i = 0; i < 1000; i++) {
    const s = a + ((b - a) * i) / 999;
    p *= 1 - s * s;
    out[i] = p;
  }
  return out;
})();
const alphaOf = (t: number) => Math.sqrt(ALPHAS_CUMPROD[t]!);
const sigmaOf = (t: number) => Math.sqrt(1 - ALPHAS_CUMPROD[t]!);

/** DistillNets that records the timesteps (per sample) each network is called with. */
class SpyNets extends DistillNets {
  readonly calls: { net: 'encode' | 'student' | 'teacher' | 'fake'; t: number[]; input: Float32Array }[] = [];
  private note(net: SpyNets['calls'][number]['net'], t: Timesteps, x: tf.Tensor, batch: number): void {
    const ts = typeof t === 'number' ? Array<number>(batch).fill(t) : t instanceof tf.Tensor ? Array.from(t.dataSync()) : [...(t as readonly number[])];
    this.calls.push({ net, t: ts, input: Float32Array.from(x.dataSync()) });
  }
  override encode(x: tf.Tensor, tS: Timesteps, noise?: tf.Tensor): tf.Tensor {
    this.note('encode', tS, x, x.shape[0]!);
    return super.encode(x, tS, noise);
  }
  override studentEps(z: tf.Tensor, t: Timesteps): tf.Tensor {
    this.note('student', t, z, z.shape[0]!);
    return super.studentEps(z, t);
  }
  override teacherEps(z: tf.Tensor, t: Timesteps, context?: tf.Tensor): tf.Tensor {
    this.note('teacher', t, z, z.shape[0]!);
    return super.teacherEps(z, t, context);
  }
  override fakeEps(z: tf.Tensor, t: Timesteps): tf.Tensor {
    this.note('fake', t, z, z.shape[0]!);
    return super.fakeEps(z, t);
  }
}

/** AdamW that keeps a host copy of the (unclipped) gradients of its last update. */
class RecordingAdamW extends AdamW {
  last = new Map<string, Float32Array>();
  override apply(grads: Readonly<Record<string, tf.Tensor>>): number {
    this.last = new Map(Object.entries(grads).map(([k, g]) => [k, Float32Array.from(g.dataSync())]));
    return super.apply(grads);
  }
}

let hq: string;
let ops: NetOps<tf.Tensor>;
beforeAll(async () => {
  hq = await makeHqFolder(2, 40);
  await pickTfjsRuntime();
  ops = createTfjsNetOps();
});
afterAll(() => rmSync(hq, { recursive: true, force: true }));

function config(extra: Record<string, unknown>): TrainConfig {
  return parseTrainConfig({
    preset: 'tiny',
    data: { hq, patch: 32, batch: 2 },
    out: 'unused',
    seed: 5,
    weights: { mse: 1, lpips: 0, tavsd: 1 },
    debug: { fixedBatch: true },
    ...extra,
  });
}

const constants = (w: WeightMap) => new Map([...w].map(([k, v]) => [k, tf.tensor(v.data, [...v.shape])]));

/** Independent LoRA lookup over checkpoint-named variables: `<prefix><module>.lora_{A,B}.weight`, scale α/r. */
function loraOver(vars: ReadonlyMap<string, tf.Variable>, prefix: string, scale: number): LoraLookup<tf.Tensor> {
  return (m) => {
    const a = vars.get(`${prefix}${m}.lora_A.weight`);
    const b = vars.get(`${prefix}${m}.lora_B.weight`);
    return a && b ? { a, b, scale } : undefined;
  };
}

interface Reference {
  readonly student: Map<string, Float32Array>;
  readonly fake: Map<string, Float32Array>;
  readonly mse: number;
  readonly tavsd: number;
  readonly x: Float32Array;
}

/** The teacher's text condition for CFG (`[1, T, D]` each) and the guidance scale of a t_v. */
interface RefGuidance {
  readonly cond: HostTensor;
  readonly uncond: HostTensor;
  readonly scale: (tV: number) => number;
}

/**
 * The step's gradients computed from the formulas above, before the step runs; timesteps per sample. With
 * `guidance`, the teacher's ε is ε_u + s(t_v)·(ε_c − ε_u) per sample (c, u: the two embeddings).
 */
function reference(cfg: TrainConfig, nets: DistillNets, base: ModelWeights, x: tf.Tensor4D, hqT: tf.Tensor4D, tS: number[], tV: number[], tF: number[], step: number, guidance?: RefGuidance): Reference {
  const spec = nets.spec;
  const B = x.shape[0];
  const scale = cfg.loraAlpha / cfg.loraRank;
  const unetBase = constants(base.unet);
  const vaeBase = constants(base.vae);
  const pick = (vars: ReadonlyMap<string, tf.Variable>, prefix: string, baseMap: Map<string, tf.Tensor>) => (n: string) => vars.get(`${prefix}${n}`) ?? baseMap.get(n)!;
  const unetP = pick(nets.studentVars, 'unet.', unetBase);
  const vaeP = pick(nets.studentVars, 'vae.', vaeBase);
  const teacherP = (n: string) => unetBase.get(n)!;
  const ctx = () => tf.zeros([B, 1, spec.unet.crossAttentionDim!]);
  const ts = (t: number[]) => tf.tensor1d(t);
  /** [B, 1, 1, 1] of f(t_i). */
  const col = (t: number[], f: (t: number) => number) => tf.tensor4d(t.map(f), [B, 1, 1, 1]);
  const noise = (purpose: string, shape: number[]) => {
    const n = new Float32Array(shape.reduce((p, q) => p * q, 1));
    Rng.forImage(cfg.seed, `step-${step}`, purpose).fillNormal(n);
    return tf.tensor(n, shape);
  };
  const sample = (t: tf.Tensor, i: number) => tf.slice(t, [i, 0, 0, 0], [1, -1, -1, -1]);

  let zHatC: tf.Tensor | undefined;
  const parts: { mse?: number; tavsd?: number } = {};
  const studentVars = [...nets.studentVars.values()];
  const s = tf.variableGrads(() => {
    const moments = vaeEncode(ops, spec.vae, vaeP, x, { lora: loraOver(nets.studentVars, 'vae.', scale), tae: spec.tae!, timestep: ts(tS) });
    const L = spec.vae.latentChannels;
    const mean = tf.slice(moments, [0, 0, 0, 0], [-1, L, -1, -1]);
    const logvar = tf.clipByValue(tf.slice(moments, [0, L, 0, 0], [-1, L, -1, -1]), -30, 20);
    const z = cfg.encoderSample ? tf.add(mean, tf.mul(tf.exp(tf.mul(logvar, 0.5)), noise('encoder-noise', mean.shape))) : mean;
    const zL = tf.mul(z, spec.vae.scalingFactor);
    const eps = unetForward(ops, spec.unet, unetP, { sample: zL, timestep: ts(tS), encoderHiddenStates: ctx() }, { lora: loraOver(nets.studentVars, 'unet.', scale) });
    const zHat = cfg.formula === 'official'
      ? tf.sub(tf.div(zL, col(tS, alphaOf)), eps)
      : tf.div(tf.sub(zL, tf.mul(eps, col(tS, sigmaOf))), col(tS, alphaOf));
    const decoded = vaeDecode(ops, spec.vae, (n) => vaeBase.get(n)!, tf.div(zHat, spec.vae.scalingFactor)) as tf.Tensor4D;
    const sr = cfg.clampSr ? tf.clipByValue(decoded, -1, 1) : decoded;
    // each sample blurred with its own t_s kernel; all samples have the same number of pixels
    const perSample = tS.map((t, i) => {
      const k = 5 + 4 * Math.floor(t / 200);
      const sb = 1 + t / 200;
      return tf.mean(tf.square(tf.sub(gaussianBlurNCHW(sample(sr, i) as tf.Tensor4D, k, sb), gaussianBlurNCHW(sample(hqT, i) as tf.Tensor4D, k, sb))));
    });
    const mse = tf.div(tf.addN(perSample), B) as tf.Scalar;
    parts.mse = mse.dataSync()[0]!;
    zHatC = tf.keep(tf.tensor(zHat.dataSync(), zHat.shape));
    const zt = tf.add(tf.mul(zHatC, col(tV, alphaOf)), tf.mul(noise('vsd-noise', zHat.shape), col(tV, sigmaOf)));
    const x0 = (e: tf.Tensor) => tf.tensor(tf.div(tf.sub(zt, tf.mul(e, col(tV, sigmaOf))), col(tV, alphaOf)).dataSync(), zt.shape);
    const teacherEps = (c: tf.Tensor) => unetForward(ops, spec.unet, teacherP, { sample: zt, timestep: ts(tV), encoderHiddenStates: c });
    const batchOf = (h: HostTensor) => tf.tile(tf.tensor(h.data, [...h.shape]), [B, 1, 1]);
    const epsT = guidance
      ? tf.tidy(() => {
          const c = teacherEps(batchOf(guidance.cond));
          const u = teacherEps(batchOf(guidance.uncond));
          return tf.add(u, tf.mul(col(tV, guidance.scale), tf.sub(c, u)));
        })
      : teacherEps(ctx());
    const x0T = x0(epsT);
    const x0F = x0(unetForward(ops, spec.unet, teacherP, { sample: zt, timestep: ts(tV), encoderHiddenStates: ctx() }, { lora: loraOver(nets.fakeVars, 'fake.', scale) }));
    const norm = tf.mean(tf.abs(tf.sub(zHatC, x0T)), [1, 2, 3], true);
    const target = tf.tensor(tf.sub(zHatC, tf.div(tf.sub(x0F, x0T), norm)).dataSync(), zt.shape);
    const tavsd = tf.mean(tf.square(tf.sub(zHat, target))) as tf.Scalar;
    parts.tavsd = tavsd.dataSync()[0]!;
    return tf.add(tf.mul(mse, cfg.weights.mse), tf.mul(tavsd, cfg.weights.tavsd)) as tf.Scalar;
  }, studentVars);
  const f = tf.variableGrads(() => {
    const n = noise('fake-noise', zHatC!.shape);
    const zt = tf.add(tf.mul(zHatC!, col(tF, alphaOf)), tf.mul(n, col(tF, sigmaOf)));
    const e = unetForward(ops, spec.unet, teacherP, { sample: zt, timestep: ts(tF), encoderHiddenStates: ctx() }, { lora: loraOver(nets.fakeVars, 'fake.', scale) });
    return tf.mean(tf.square(tf.sub(e, n))) as tf.Scalar;
  }, [...nets.fakeVars.values()]);
  const byKey = (vars: ReadonlyMap<string, tf.Variable>, grads: tf.NamedTensorMap) => {
    const out = new Map<string, Float32Array>();
    for (const [k, v] of vars) if (grads[v.name]) out.set(k, Float32Array.from(grads[v.name]!.dataSync()));
    return out;
  };
  const ref = { student: byKey(nets.studentVars, s.grads), fake: byKey(nets.fakeVars, f.grads), mse: parts.mse!, tavsd: parts.tavsd!, x: Float32Array.from(x.dataSync()) };
  tf.dispose([s.value, f.value, ...Object.values(s.grads), ...Object.values(f.grads), zHatC!, ...unetBase.values(), ...vaeBase.values()]);
  return ref;
}

/** The official draws of step `step` (tadsr's `timesteps` stream): t_s per sample from the 50 values, then the fake-score t per sample. */
function officialDraws(seed: number, step: number, batch: number): { tS: number[]; tF: number[] } {
  const rng = Rng.forImage(seed, `step-${step}`, 'timesteps');
  const tS = Array.from({ length: batch }, () => OFFICIAL_TS[rng.randint(0, OFFICIAL_TS.length - 1)]!);
  const tF = Array.from({ length: batch }, () => rng.randint(0, 999));
  return { tS, tF };
}

/** Relative L2 distance of each gradient of `want` to `got`'s. */
function gradDistances(got: Map<string, Float32Array>, want: Map<string, Float32Array>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, w] of want) {
    const g = got.get(k)!;
    let d = 0;
    let n = 0;
    for (let i = 0; i < w.length; i++) {
      d += (g[i]! - w[i]!) ** 2;
      n += w[i]! ** 2;
    }
    out.set(k, Math.sqrt(d) / Math.max(Math.sqrt(n), 1e-9));
  }
  return out;
}

/** Relative L2 distance of every gradient; the key sets must match. */
function expectSameGrads(got: Map<string, Float32Array>, want: Map<string, Float32Array>, what: string): void {
  expect([...got.keys()].sort(), `${what}: which variables get a gradient`).toEqual([...want.keys()].sort());
  const bad = [...gradDistances(got, want)].filter(([, rel]) => rel > 2e-3).map(([k, rel]) => `${k}: relative error ${rel.toExponential(2)}`);
  expect(bad, `${what}: gradients off the reference`).toEqual([]);
}

/** Nets at the seed's initial state with every zero-initialised path (LoRA B, TAE time_emb_proj) made live. */
function liveNets(cfg: TrainConfig, base: ModelWeights): SpyNets {
  const spec = presetByName('tiny');
  const nets = new SpyNets(ops, { spec, weights: base, teacherUnet: base.unet, tae: cfg.tae, loraRank: cfg.loraRank, loraAlpha: cfg.loraAlpha, seed: cfg.seed, fakeLoraConvIn: cfg.fakeLoraConvIn });
  let seed = 100;
  for (const [k, v] of [...nets.studentVars, ...nets.fakeVars]) {
    if (k.includes('lora_B') || k.includes('time_emb_proj')) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.05, 'float32', seed++)));
  }
  return nets;
}

/**
 * One real step on instrumented nets, and the reference on a second set of nets in the same initial state (the
 * fake-score timestep is drawn inside the step: the reference takes the one the step used, checked to be in range).
 */
async function checkStep(extra: Record<string, unknown>, step = 3, guidance?: RefGuidance, opts: { readonly asyncTeacher?: boolean } = {}): Promise<void> {
  const cfg = config(extra);
  const base = initParams(presetByName('tiny'), cfg.seed);
  const nets = liveNets(cfg, base);
  const twin = liveNets(cfg, base);
  const optS = new RecordingAdamW(nets.studentVars, { lr: 1e-3 });
  const optF = new RecordingAdamW(nets.fakeVars, { lr: 1e-3 });
  const ds = await HqDataset.open({ dir: hq, patch: 32, seed: cfg.seed });
  try {
    // the nets' own teacher behind a backend that answers only asynchronously, as the ONNX backend does
    const own = distillScoreBackend(nets);
    const asyncTeacher: Backend = { info: { name: 'async', runtime: 'the nets, awaited' }, run: (n, i) => own.run(n, i), dispose: async () => {} };
    const out = await trainStep(cfg, nets, optS, optF, ds, step, {
      ...(guidance ? { guidance: { cond: guidance.cond, uncond: guidance.uncond } } : {}),
      ...(opts.asyncTeacher ? { teacher: asyncTeacher } : {}),
    });

    const B = cfg.data.batch;
    const byNet = (n: string) => nets.calls.filter((c) => c.net === n);
    const fakeCalls = byNet('fake');
    const tF = fakeCalls[fakeCalls.length - 1]!.t;
    let tS: number[];
    if (cfg.timesteps === 'per-sample') {
      const want = officialDraws(cfg.seed, step, B);
      tS = want.tS;
      expect(new Set(tS).size, `this seed draws different t_s per sample (${tS.join(', ')})`).toBe(B);
      expect(new Set(tF).size, `the fake-score t is drawn per sample (${tF.join(', ')})`).toBe(B);
      expect(tF, 'fake-score t: the official per-sample draw').toEqual(want.tF);
    } else {
      tS = Array<number>(B).fill(cfg.debug!.fixedTs!);
      expect(new Set(tF).size, 'one fake-score t per step').toBe(1);
    }
    const tV = tS.map((t) => Math.min(999, Math.max(0, Math.floor(cfg.timeMapping.lambda * t + cfg.timeMapping.gamma))));
    expect(tF.every((t) => Number.isInteger(t) && t >= 0 && t <= 999), `fake-score t ${tF.join(', ')}`).toBe(true);
    expect(out.tS).toEqual(tS);
    expect(out.tV).toEqual(tV);
    expect(out.tFake).toEqual(tF);
    // a synchronous teacher scores inside the tape (one student forward); an asynchronous one (as ONNX) gets ẑ
    // first, without a tape, then the tape recomputes it
    const forwards = opts.asyncTeacher ? [tS, tS] : [tS];
    expect(byNet('encode').map((c) => c.t), 'encoder timesteps').toEqual(forwards);
    expect(byNet('student').map((c) => c.t), 'student UNet timesteps').toEqual(forwards);
    if (opts.asyncTeacher) {
      const [z0, z1] = byNet('student').map((c) => c.input);
      const zDiff = Math.max(...z0!.map((v, i) => Math.abs(v - z1![i]!))) / Math.max(...z0!.map(Math.abs));
      expect(zDiff, 'the tape recomputes the ẑ the scores were taken at (to float rounding of multi-threaded kernels)').toBeLessThan(1e-5);
    }
    expect(byNet('teacher').map((c) => c.t), 'teacher timesteps (CFG: conditional and unconditional call)').toEqual(guidance ? [tV, tV] : [tV]);
    expect(fakeCalls.map((c) => c.t), 'fake-score timesteps (TAVSD, then its own update)').toEqual([tV, tF]);

    const samples = [await ds.sample(0), await ds.sample(1)];
    const x = tf.tidy(() => tf.concat(samples.map((s) => imageToNchw(bicubicUpsample(s.lq, 4))), 0) as tf.Tensor4D);
    const hqT = tf.tidy(() => tf.concat(samples.map((s) => imageToNchw(s.hq)), 0) as tf.Tensor4D);
    const ref = reference(cfg, twin, base, x, hqT, tS, tV, tF, step, guidance);
    if (guidance) {
      // the guidance scale matters: the reference at s = 1 (scale ignored: ε_c alone) is far from the step's
      const unscaled = reference(cfg, twin, base, x, hqT, tS, tV, tF, step, { ...guidance, scale: () => 1 });
      const far = Math.max(...gradDistances(optS.last, unscaled.student).values());
      expect(far, 'student gradient with the CFG scale vs with s = 1').toBeGreaterThan(0.05);
      expect(Math.abs(out.loss_tavsd! - unscaled.tavsd), 'TAVSD loss with the CFG scale vs with s = 1').toBeGreaterThan(1e-3 * Math.abs(ref.tavsd));
    }
    tf.dispose([x, hqT]);
    const xin = byNet('encode')[0]!.input;
    expect(Math.max(...xin.map((v, i) => Math.abs(v - ref.x[i]!))), 'the encoder sees the bicubic ×4 LQ batch').toBeLessThan(1e-6);
    expect(out.loss_mse).toBeCloseTo(ref.mse, 5);
    expect(out.loss_tavsd).toBeCloseTo(ref.tavsd, 5);
    expect(optF.last.has('fake.conv_in.lora_A.weight'), 'the fake-score LoRA wraps conv_in').toBe(cfg.fakeLoraConvIn);
    expectSameGrads(optS.last, ref.student, 'student');
    expectSameGrads(optF.last, ref.fake, 'fake score');
  } finally {
    optS.dispose();
    optF.dispose();
    nets.dispose();
    twin.dispose();
  }
}

describe('distillation step wiring (tiny preset, batch 2, against a reference from the formulas)', () => {
  it('ddpm-x0 step, official behaviours: per-sample t_s/t_v/t_f and blur, clamped SR, posterior sample, noise at t_v, TAVSD direction, time-aware encoder, fake-score update on conv_in too', async () => {
    await checkStep({ formula: 'ddpm-x0' });
  }, 600_000);

  it("official formula step (ẑ = z/α − ε), the documented deviations: one t per step, unclamped SR, posterior mean, no conv_in fake LoRA, another time mapping", async () => {
    const before = tf.memory().numTensors; // after the first test: runtime caches exist
    await checkStep({ formula: 'official', debug: { fixedBatch: true, fixedTs: 441 }, timeMapping: { lambda: 0.8, gamma: 30 }, timesteps: 'per-batch', clampSr: false, encoderSample: false, fakeLoraConvIn: false }, 7);
    expect(tf.memory().numTensors, 'tensors left by a step and its reference').toBe(before);
  }, 600_000);

  it('text-conditioned teacher: CFG ε_u + (7.5 + t_v/200)(ε_c − ε_u) per sample reaches the student gradient; the scale matters', async () => {
    const D = presetByName('tiny').unet.crossAttentionDim!;
    const emb = (seed: number): HostTensor => {
      const data = new Float32Array(3 * D);
      new Rng(seed, 1, 2, 3).fillNormal(data);
      return { shape: [1, 3, D], data };
    };
    await checkStep({ formula: 'ddpm-x0' }, 4, { cond: emb(11), uncond: emb(12), scale: (t) => 7.5 + t / 200 });
  }, 600_000);

  it('a teacher backend that answers asynchronously (as ONNX): ẑ off the tape, the scores with CFG, then the tape — the same gradients', async () => {
    const D = presetByName('tiny').unet.crossAttentionDim!;
    const emb = (seed: number): HostTensor => {
      const data = new Float32Array(2 * D);
      new Rng(seed, 5, 6, 7).fillNormal(data);
      return { shape: [1, 2, D], data };
    };
    await checkStep({ formula: 'ddpm-x0' }, 6, { cond: emb(21), uncond: emb(22), scale: (t) => 7.5 + t / 200 }, { asyncTeacher: true });
  }, 600_000);

  it('runTraining trains the time-aware encoder: its time layers are in the checkpoint and moved off their init', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tadsr-wiring-'));
    try {
      const cfg = parseTrainConfig({ preset: 'tiny', data: { hq, patch: 32 }, out, seed: 2, steps: 1, checkpointEvery: 1, lr: 1e-3 });
      expect(cfg.tae).toBe(true);
      await runTraining(cfg, { skipExport: true }, () => {});
      const ck = await readLatestCheckpoint(out, ['student', 'fake']);
      const student = ck!.groups['student']!;
      const time = [...student.keys()].filter((k) => k.startsWith('vae.') && k.includes('time_emb_proj.weight'));
      expect(time.length, 'TAE time layers among the trained student parameters').toBeGreaterThan(0);
      const init = initParams(presetByName('tiny'), 2).vae;
      const moved = time.filter((k) => student.get(k)!.data.some((v, i) => v !== init.get(k.slice('vae.'.length))!.data[i]));
      expect(moved, 'time layers updated by the step').toEqual(time);
      const fake = ck!.groups['fake']!;
      expect(fake.has('fake.conv_in.lora_A.weight'), "the run's fake score has its conv_in LoRA (official default)").toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 600_000);
});
