/**
 * The networks of a distillation run (src/graphs/training/nets.ts) on the tiny preset: which parameters are
 * trainable under which checkpoint names, that the student's encoder is time-aware (and the `tae: false` ablation
 * is not), that the teacher is frozen and the fake score is teacher + its own LoRA, and that the merged student
 * (what a model directory holds) computes what the adapted student computes.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTfjsNetOps } from '../../../src/backends/tfjs/tfjs-net-ops.js';
import { DistillNets } from '../../../src/graphs/training/nets.js';
import { createOnnxBackend } from '../../../src/backends/onnx/onnx-backend.js';
import { distillScoreBackend } from '../../../src/graphs/training/nets-backend.js';
import { modelFacts } from '../../../src/models/model-facts.js';
import { unetEps } from '../../../src/operators/net-calls.js';
import { posteriorSample } from '../../../src/graphs/training/posterior.js';
import type { NetOps } from '../../../src/models/net-ops.js';
import { initParams } from '../../../src/models/params.js';
import { presets } from '../../../src/models/presets.js';
import { unetForward } from '../../../src/models/unet.js';
import { posteriorLogVar, posteriorMean, vaeEncode } from '../../../src/models/vae.js';

const spec = presets.tiny;
const weights = initParams(spec, 4);
let ops: NetOps<tf.Tensor>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  ops = createTfjsNetOps({ heavy: 'tfjs' });
});

function make(tae: boolean): DistillNets {
  return new DistillNets(ops, { spec, weights, teacherUnet: weights.unet, tae, loraRank: 2, loraAlpha: 4, seed: 1 });
}

/** Give every zero-initialised trainable tensor (LoRA B, TAE time_emb_proj) small random values. */
function liven(nets: DistillNets): void {
  let s = 50;
  for (const [k, v] of [...nets.studentVars, ...nets.fakeVars]) {
    if (k.includes('lora_B') || k.includes('time_emb_proj')) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.05, 'float32', s++)));
  }
}

const relDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.max(tf.abs(b))).dataSync()[0]!);

describe('DistillNets', () => {
  it('trainable parts by checkpoint name: UNet conv_in, UNet/VAE-encoder LoRA, TAE time layers; fake: its LoRA only', () => {
    const nets = make(true);
    const keys = [...nets.studentVars.keys()];
    expect(keys).toEqual(expect.arrayContaining(['unet.conv_in.weight', 'unet.conv_in.bias', 'vae.encoder.time_embedding.linear_1.weight', 'vae.encoder.mid_block.resnets.1.time_emb_proj.bias']));
    expect(keys).toContain('unet.mid_block.attentions.0.transformer_blocks.0.attn2.to_k.lora_A.weight');
    expect(keys).toContain('vae.quant_conv.lora_B.weight');
    expect(keys.every((k) => /^(unet|vae)\./.test(k))).toBe(true);
    expect(keys.some((k) => k.startsWith('vae.decoder') || k.startsWith('vae.post_quant'))).toBe(false);
    const fake = [...nets.fakeVars.keys()];
    expect(fake.length).toBeGreaterThan(0);
    expect(fake.every((k) => k.startsWith('fake.') && k.includes('.lora_'))).toBe(true);
    expect(fake, "the fake score's LoRA wraps conv_in (official)").toContain('fake.conv_in.lora_A.weight');
    expect(keys, "the student's conv_in is trained fully, not by LoRA").not.toContain('unet.conv_in.lora_A.weight');
    expect([...nets.studentVars.values(), ...nets.fakeVars.values()].every((v) => v.trainable)).toBe(true);
    nets.dispose();
    const plain = make(false);
    expect([...plain.studentVars.keys()].some((k) => k.includes('time_emb'))).toBe(false);
    plain.dispose();
    const old = new DistillNets(ops, { spec, weights, teacherUnet: weights.unet, tae: true, loraRank: 2, loraAlpha: 4, seed: 1, fakeLoraConvIn: false });
    expect([...old.fakeVars.keys()].sort(), 'fakeLoraConvIn false: the variable set of earlier checkpoints').toEqual(fake.filter((k) => !k.startsWith('fake.conv_in.')).sort());
    old.dispose();
  });

  it('the student encoder runs the time-aware encoder at t_s (the tae:false ablation ignores t_s)', () => {
    const nets = make(true);
    const plain = make(false);
    liven(nets);
    for (const [k, v] of plain.studentVars) tf.tidy(() => v.assign(nets.studentVars.get(k)!)); // same LoRA
    const [d, same, ref] = tf.tidy(() => {
      const x = tf.randomUniform([1, 3, 16, 16], -1, 1, 'float32', 7);
      const a = nets.encode(x, 100);
      const b = nets.encode(x, 900);
      const p1 = plain.encode(x, 100);
      const p2 = plain.encode(x, 900);
      // the reference: the TAE forward with the student's weights, posterior mean × scale
      const p = (n: string) => nets.studentVars.get(`vae.${n}`) ?? tf.tensor(weights.vae.get(n)!.data, [...weights.vae.get(n)!.shape]);
      const want = tf.mul(posteriorMean(ops, vaeEncode(ops, spec.vae, p, x, { tae: spec.tae!, timestep: tf.tensor1d([900]), lora: nets.vaeLora.lookup })), spec.vae.scalingFactor);
      return [relDiff(a, b), relDiff(p1, p2), relDiff(b, want)];
    });
    expect(d, 'latent depends on t_s').toBeGreaterThan(1e-3);
    expect(same).toBe(0);
    expect(ref).toBeLessThan(1e-5);
    nets.dispose();
    plain.dispose();
  });

  it('teacher is frozen; fake = teacher + fake LoRA; student = UNet + conv_in + student LoRA; context is zeros', () => {
    const nets = make(true);
    const [t0, f0] = tf.tidy(() => {
      const z = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 8);
      return [nets.teacherEps(z, 300), nets.fakeEps(z, 300)].map((t) => tf.keep(t));
    });
    expect(relDiff(f0!, t0!), 'fake LoRA starts at zero: fake = teacher').toBeLessThan(1e-6);
    liven(nets);
    for (const v of nets.studentVars.values()) tf.tidy(() => v.assign(tf.add(v, 0.01)));
    const [t1, f1, s1, want] = tf.tidy(() => {
      const z = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 8);
      const ctx = tf.zeros([2, 1, spec.unet.crossAttentionDim!]);
      const p = (n: string) => nets.studentVars.get(`unet.${n}`) ?? tf.tensor(weights.unet.get(n)!.data, [...weights.unet.get(n)!.shape]);
      const ref = unetForward(ops, spec.unet, p, { sample: z, timestep: tf.tensor1d([300, 300]), encoderHiddenStates: ctx }, { lora: nets.unetLora.lookup });
      return [nets.teacherEps(z, 300), nets.fakeEps(z, 300), nets.studentEps(z, 300), ref].map((t) => tf.keep(t));
    });
    expect(relDiff(t1!, t0!), 'teacher unchanged by student/fake variables').toBe(0);
    expect(relDiff(f1!, t1!), 'fake LoRA acts').toBeGreaterThan(1e-4);
    expect(relDiff(s1!, want!)).toBeLessThan(1e-5);
    expect(relDiff(s1!, t1!)).toBeGreaterThan(1e-3);
    const ctx = nets.context(3)!;
    expect(ctx.shape).toEqual([3, 1, spec.unet.crossAttentionDim]);
    expect(ctx.dataSync().every((v) => v === 0)).toBe(true);
    tf.dispose([t0!, f0!, t1!, f1!, s1!, want!, ctx]);
    nets.dispose();
  });

  it('mergedStudent: plain weights that compute what the adapted student computes; tae:false drops time layers', () => {
    const nets = make(true);
    liven(nets);
    const merged = nets.mergedStudent();
    const r = tf.tidy(() => {
      const z = tf.randomNormal([1, 4, 4, 4], 0, 1, 'float32', 9);
      const x = tf.randomUniform([1, 3, 16, 16], -1, 1, 'float32', 10);
      const p = (m: typeof merged.unet) => (n: string) => tf.tensor(m.get(n)!.data, [...m.get(n)!.shape]);
      const eps = unetForward(ops, spec.unet, p(merged.unet), { sample: z, timestep: tf.tensor1d([500]), encoderHiddenStates: tf.zeros([1, 1, 32]) });
      const zL = tf.mul(posteriorMean(ops, vaeEncode(ops, spec.vae, p(merged.vae), x, { tae: spec.tae!, timestep: tf.tensor1d([500]) })), spec.vae.scalingFactor);
      return [relDiff(eps, nets.studentEps(z, 500)), relDiff(zL, nets.encode(x, 500))];
    });
    expect(r[0]).toBeLessThan(1e-5);
    expect(r[1]).toBeLessThan(1e-5);
    expect([...merged.vae.keys()].some((k) => k.includes('time_emb'))).toBe(true);
    nets.dispose();
    const plain = make(false);
    expect([...plain.mergedStudent().vae.keys()].some((k) => k.includes('time_emb'))).toBe(false);
    plain.dispose();
  });

  it('per-sample timesteps: a batch of 2 at different t equals the two single-sample calls (encoder, student, teacher, fake; TF.js and, through the Backend contract, ONNX)', async () => {
    const nets = make(true);
    liven(nets);
    const ts = [37, 811];
    const teacher = await createOnnxBackend(spec, weights, { device: 'cpu', threads: 1, teacherUnet: weights.unet });
    try {
      const [errs, distinct, zHost] = tf.tidy(() => {
        const x = tf.randomUniform([2, 3, 16, 16], -1, 1, 'float32', 3);
        const row = (t: tf.Tensor, i: number) => tf.slice(t, [i, 0, 0, 0], [1, -1, -1, -1]);
        const split = (f: (x: tf.Tensor, t: number) => tf.Tensor, input: tf.Tensor) => tf.concat(ts.map((t, i) => f(row(input, i), t)), 0);
        const z = nets.encode(x, ts);
        const errs = {
          encode: relDiff(z, split((a, t) => nets.encode(a, t), x)),
          student: relDiff(nets.studentEps(z, ts), split((a, t) => nets.studentEps(a, t), z)),
          teacher: relDiff(nets.teacherEps(z, ts), split((a, t) => nets.teacherEps(a, t), z)),
          fake: relDiff(nets.fakeEps(z, tf.tensor1d(ts)), split((a, t) => nets.fakeEps(a, t), z)),
        };
        const distinct = relDiff(nets.studentEps(z, ts), nets.studentEps(z, [37, 37]));
        return [errs, distinct, { shape: z.shape, data: Float32Array.from(z.dataSync()) }] as const;
      });
      const facts = modelFacts(spec);
      const viaOnnx = await unetEps(teacher, facts, zHost, ts, { net: 'teacherUnet' });
      const viaNets = await unetEps(distillScoreBackend(nets), facts, zHost, ts, { net: 'teacherUnet' });
      const fakeViaNets = await unetEps(distillScoreBackend(nets), facts, zHost, ts, { net: 'unet' });
      const [onnx, fakeDiff] = tf.tidy(() => {
        const z = tf.tensor(zHost.data, [...zHost.shape]);
        return [relDiff(tf.tensor(viaOnnx.data, [...viaOnnx.shape]), nets.teacherEps(z, ts)) + relDiff(tf.tensor(viaNets.data, [...viaNets.shape]), nets.teacherEps(z, ts)), relDiff(tf.tensor(fakeViaNets.data, [...fakeViaNets.shape]), nets.fakeEps(z, ts))];
      });
      for (const [net, e] of Object.entries(errs)) expect(e, net).toBeLessThan(1e-5);
      expect(distinct, "sample 1's own t_s matters").toBeGreaterThan(1e-4);
      expect(onnx, 'ONNX teacher backend (and the nets as a backend) with per-sample t = TF.js teacher').toBeLessThan(1e-4);
      expect(fakeDiff, "the nets' backend `unet` is the fake score").toBeLessThan(1e-6);
      expect(() => nets.studentEps(tf.zeros([2, 4, 2, 2]), [1, 2, 3])).toThrow(/3 timesteps for a batch of 2/);
    } finally {
      await teacher.dispose();
      nets.dispose();
    }
  });

  it('encode(x, t, noise) is a posterior sample μ + σ·n (AutoencoderKL)', () => {
    const nets = make(true);
    liven(nets);
    const [d, ref] = tf.tidy(() => {
      const x = tf.randomUniform([1, 3, 16, 16], -1, 1, 'float32', 9);
      const n = tf.randomNormal(nets.latentShape(x.shape), 0, 1, 'float32', 4);
      const got = nets.encode(x, 300, n);
      const p = (k: string) => nets.studentVars.get(`vae.${k}`) ?? tf.tensor(weights.vae.get(k)!.data, [...weights.vae.get(k)!.shape]);
      const m = vaeEncode(ops, spec.vae, p, x, { tae: spec.tae!, timestep: tf.tensor1d([300]), lora: nets.vaeLora.lookup });
      const sd = tf.exp(tf.mul(tf.clipByValue(posteriorLogVar(ops, m), -30, 20), 0.5));
      const want = tf.mul(tf.add(posteriorMean(ops, m), tf.mul(sd, n)), spec.vae.scalingFactor);
      return [relDiff(got, nets.encode(x, 300)), relDiff(got, tf.mul(posteriorSample(ops, m, n), spec.vae.scalingFactor)) + relDiff(got, want)];
    });
    expect(d, 'the sample differs from the mean').toBeGreaterThan(1e-2);
    expect(ref).toBeLessThan(1e-5);
    expect(nets.samplesPosterior).toBe(true);
    nets.dispose();
  });

  it('dispose releases every tensor it made', () => {
    const before = tf.memory().numTensors;
    make(true).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
