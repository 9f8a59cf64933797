/**
 * The training LoRA (src/graphs/training/lora.ts, over src/models/lora.ts): the official target selection on the
 * tiny preset, PEFT initialisation and names, and the merge into plain weights equal to the forward-time adapters.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTfjsNetOps } from '../../../src/backends/tfjs/tfjs-net-ops.js';
import { Rng } from '../../../src/random/rng.js';
import { createLora, loraWeights, ownedVariable } from '../../../src/graphs/training/lora.js';
import { loraModules, mergeLora, officialLoraSpec } from '../../../src/models/lora.js';
import { initParams, unetParamShapes, vaeParamShapes } from '../../../src/models/params.js';
import { presets } from '../../../src/models/presets.js';
import { unetForward } from '../../../src/models/unet.js';

const spec = presets.tiny;
const unetShapes = unetParamShapes(spec.unet);
const vaeShapes = vaeParamShapes(spec.vae, spec.tae);
const unetModules = (rank = 4, alpha = 8) => loraModules(officialLoraSpec(rank, alpha), 'unet', unetShapes);
const unetLoraTargets = () => unetModules().map((m) => m.module);
const vaeEncoderLoraTargets = () => loraModules(officialLoraSpec(4, 8), 'vae', vaeShapes).map((m) => m.module);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('official LoRA targets', () => {
  it('UNet: every attention q/k/v/out of every transformer block, the resnet convs, proj_in/out, feed-forward', () => {
    const targets = new Set(unetLoraTargets());
    const attention = [...unetShapes.keys()].filter((n) => /\.attn[12]\.(to_q|to_k|to_v|to_out\.0)\.weight$/.test(n)).map((n) => n.slice(0, -'.weight'.length));
    expect(attention).toHaveLength(4 * 4 * 2); // tiny: 4 transformer blocks × attn1/attn2 × q/k/v/out
    for (const m of attention) expect(targets.has(m), m).toBe(true);
    for (const m of ['down_blocks.0.resnets.0.conv1', 'down_blocks.1.resnets.0.conv_shortcut', 'up_blocks.0.upsamplers.0.conv', 'mid_block.attentions.0.proj_in', 'up_blocks.1.attentions.1.proj_out', 'mid_block.attentions.0.transformer_blocks.0.ff.net.0.proj', 'mid_block.attentions.0.transformer_blocks.0.ff.net.2', 'conv_out']) {
      expect(targets.has(m), m).toBe(true);
    }
  });

  it('UNet: not conv_in (trained fully), the time embedding, norms or time_emb_proj', () => {
    for (const m of unetLoraTargets()) {
      expect(m).not.toBe('conv_in');
      expect(m).not.toMatch(/time_emb|norm/);
      expect(unetShapes.get(`${m}.weight`)!.length === 2 || unetShapes.get(`${m}.weight`)!.length === 4, m).toBe(true);
    }
  });

  it('VAE: encoder convs and attention plus quant_conv; never the decoder or the TAE time layers', () => {
    const targets = vaeEncoderLoraTargets();
    expect(targets).toEqual(expect.arrayContaining(['encoder.conv_in', 'encoder.conv_out', 'quant_conv', 'encoder.mid_block.attentions.0.to_q', 'encoder.mid_block.attentions.0.to_out.0', 'encoder.down_blocks.1.resnets.0.conv_shortcut']));
    for (const m of targets) expect(m.startsWith('encoder.') || m === 'quant_conv', m).toBe(true);
    expect(targets.some((m) => /time/.test(m))).toBe(false);
  });
});

describe('createLora / mergeLora', () => {
  it('A ~ N(0, 1/r), B = 0, PEFT names, conv A keeps the kernel and B is 1×1, scale α/r', () => {
    const picked = unetModules().filter((m) => m.module === 'conv_out' || m.module === 'mid_block.attentions.0.transformer_blocks.0.attn1.to_q');
    const lora = createLora('t1', picked, Rng.forImage(1, 'x', 'lora'));
    expect([...lora.variables.keys()]).toEqual(['mid_block.attentions.0.transformer_blocks.0.attn1.to_q.lora_A.weight', 'mid_block.attentions.0.transformer_blocks.0.attn1.to_q.lora_B.weight', 'conv_out.lora_A.weight', 'conv_out.lora_B.weight']);
    expect(lora.lookup('conv_out')!.scale).toBe(2);
    const [out, inp, kh, kw] = unetShapes.get('conv_out.weight')!;
    expect(lora.variables.get('conv_out.lora_A.weight')!.shape).toEqual([4, inp, kh, kw]);
    expect(lora.variables.get('conv_out.lora_B.weight')!.shape).toEqual([out, 4, 1, 1]);
    expect(lora.variables.get('mid_block.attentions.0.transformer_blocks.0.attn1.to_q.lora_A.weight')!.shape).toEqual([4, 64]);
    const b = lora.variables.get('conv_out.lora_B.weight')!.dataSync();
    expect(b.every((v) => v === 0)).toBe(true);
    const a = Float32Array.from(lora.variables.get('conv_out.lora_A.weight')!.dataSync());
    const std = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(std).toBeGreaterThan(0.2);
    expect(std).toBeLessThan(0.3);
    expect(lora.lookup('conv_in')).toBeUndefined();
    for (const v of lora.variables.values()) v.dispose();
  });

  it('merged weights W + (α/r)·B·A give the output of the forward-time adapters', () => {
    const w = initParams(spec, 2).unet;
    const lora = createLora('t2', unetModules(2, 3), Rng.forImage(2, 'x', 'lora'));
    let s = 9;
    for (const [k, v] of lora.variables) if (k.includes('lora_B')) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', s++)));
    const merged = mergeLora(w, loraWeights(lora), lora.modules);
    expect(merged.get('conv_in.weight')).toBe(w.get('conv_in.weight')); // not adapted: shared
    const ops = createTfjsNetOps({ heavy: 'tfjs' });
    const out = tf.tidy(() => {
      const base = new Map([...w].map(([k, t]) => [k, tf.tensor(t.data, [...t.shape])]));
      const mergedT = new Map([...merged].map(([k, t]) => [k, tf.tensor(t.data, [...t.shape])]));
      const inputs = { sample: tf.randomNormal([1, 4, 8, 8], 0, 1, 'float32', 3), timestep: tf.tensor1d([321]), encoderHiddenStates: tf.randomNormal([1, 1, 32], 0, 1, 'float32', 4) };
      const adapted = unetForward(ops, spec.unet, (n) => base.get(n)!, inputs, { lora: lora.lookup });
      const viaMerge = unetForward(ops, spec.unet, (n) => mergedT.get(n)!, inputs);
      const plain = unetForward(ops, spec.unet, (n) => base.get(n)!, inputs);
      const rel = (a: tf.Tensor, b: tf.Tensor) => tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.max(tf.abs(b))).dataSync()[0]!;
      return { merge: rel(viaMerge, adapted), adapter: rel(plain, adapted) };
    });
    expect(out.merge).toBeLessThan(1e-5);
    expect(out.adapter).toBeGreaterThan(1e-3); // the adapters do change the output
    // a hand-computed entry: conv_out.weight[0,0,0,0] + scale·Σ_k B[0,k]·A[k,0,0,0]
    const a = lora.variables.get('conv_out.lora_A.weight')!.dataSync();
    const b = lora.variables.get('conv_out.lora_B.weight')!.dataSync();
    const aStride = a.length / 2;
    const want = w.get('conv_out.weight')!.data[0]! + 1.5 * (b[0]! * a[0]! + b[1]! * a[aStride]!);
    expect(merged.get('conv_out.weight')!.data[0]).toBeCloseTo(want, 6);
    for (const v of lora.variables.values()) v.dispose();
  });

  it('ownedVariable releases its initial tensor', () => {
    const before = tf.memory().numTensors;
    const v = ownedVariable(tf.ones([3]), 'owned-test');
    expect(tf.memory().numTensors).toBe(before + 1);
    v.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
