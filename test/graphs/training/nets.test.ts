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
import type { NetOps } from '../../../src/models/net-ops.js';
import { initParams } from '../../../src/models/params.js';
import { presets } from '../../../src/models/presets.js';
import { unetForward } from '../../../src/models/unet.js';
import { posteriorMean, vaeEncode } from '../../../src/models/vae.js';

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
    expect([...nets.studentVars.values(), ...nets.fakeVars.values()].every((v) => v.trainable)).toBe(true);
    nets.dispose();
    const plain = make(false);
    expect([...plain.studentVars.keys()].some((k) => k.includes('time_emb'))).toBe(false);
    plain.dispose();
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

  it('dispose releases every tensor it made', () => {
    const before = tf.memory().numTensors;
    make(true).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
