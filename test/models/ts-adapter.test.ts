/**
 * The t_s adapter: the gate, the delta built from a fine-tune's checkpoint, and both backends applying it per
 * sample — base student at t_s ≤ from, the fine-tuned one at t_s ≥ to, the weight blend between; the teacher never.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend, HostTensor } from '../../src/backends/backend.js';
import { createOnnxBackend, type OnnxBackend } from '../../src/backends/onnx/onnx-backend.js';
import { createTfjsBackend } from '../../src/backends/tfjs/tfjs-backend.js';
import { createTfjsNetOps } from '../../src/backends/tfjs/tfjs-net-ops.js';
import { loraModules, loraParamShapes, mergeLora, officialLoraSpec } from '../../src/models/lora.js';
import { type ModelWeights, type WeightMap, initParams, initWeights, unetParamShapes, vaeParamShapes } from '../../src/models/params.js';
import { presets } from '../../src/models/presets.js';
import {
  TsAdapterError,
  applyTsAdapter,
  checkTsAdapter,
  checkTsGate,
  shapesOf,
  tsAdapterFromStudent,
  tsAdapterModules,
  tsGate,
  tsGateValue,
} from '../../src/models/ts-adapter.js';
import { relativeError } from '../fixtures/parity/load-fixture.js';

const spec = presets.tiny;
const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const gate = { from: 300, to: 500 };

/** A fine-tune of `base` as a checkpoint would hold it: LoRA A/B (alpha 8, rank 4) and moved conv_in / time layers. */
function fineTune(base: ModelWeights) {
  const lora = officialLoraSpec(4, 8);
  const unetMods = loraModules(lora, 'unet', unetParamShapes(spec.unet));
  const vaeMods = loraModules(lora, 'vae', vaeParamShapes(spec.vae, spec.tae));
  const unetLora = initWeights(loraParamShapes(unetMods), 5); // B non-zero, so the adapters matter
  const vaeLora = initWeights(loraParamShapes(vaeMods), 6);
  const moved = (t: HostTensor, k: number): HostTensor => ({ shape: t.shape, data: t.data.map((v, i) => v + 0.05 * Math.sin(i * 0.7 + k)) });
  const full = { unet: new Map(base.unet) as WeightMap, vae: new Map(base.vae) as WeightMap };
  const student: WeightMap = new Map();
  for (const n of ['conv_in.weight', 'conv_in.bias']) {
    full.unet.set(n, moved(base.unet.get(n)!, 1));
    student.set(`unet.${n}`, full.unet.get(n)!);
  }
  for (const [n, t] of base.vae) {
    if (!n.includes('time_emb')) continue;
    full.vae.set(n, moved(t, 2));
    student.set(`vae.${n}`, full.vae.get(n)!);
  }
  for (const [n, t] of unetLora) student.set(`unet.${n}`, t);
  for (const [n, t] of vaeLora) student.set(`vae.${n}`, t);
  // what `tadsr train` exports: fully trained tensors copied in, LoRA merged at alpha/r
  const merged: ModelWeights = { unet: mergeLora(full.unet, unetLora, unetMods), vae: mergeLora(full.vae, vaeLora, vaeMods) };
  return { student, merged };
}

const base = initParams(spec, 1);
const { student, merged } = fineTune(base);
const adapter = tsAdapterFromStudent(base, student, 8 / 4, gate);
const at = (g: number): ModelWeights => ({ unet: applyTsAdapter(base.unet, adapter.unet, g), vae: applyTsAdapter(base.vae, adapter.vae, g) });

describe('t_s gate', () => {
  it('is off up to from, on from to, linear between — on the host and in a graph', () => {
    expect([0, 300, 350, 400, 500, 999].map((t) => tsGateValue(gate, t))).toEqual([0, 0, 0.25, 0.5, 1, 1]);
    const ops = createTfjsNetOps({ heavy: 'tfjs' });
    const g = tf.tidy(() => Array.from(tsGate(ops, gate, tf.tensor1d([0, 300, 350, 400, 500, 999])).dataSync()));
    expect(g.map((v) => Math.round(v * 1e6) / 1e6)).toEqual([0, 0, 0.25, 0.5, 1, 1]);
  });

  it('refuses a gate that is not 0 ≤ from < to ≤ 999 (integers)', () => {
    expect(checkTsGate({ from: 300, to: 500 })).toEqual(gate);
    for (const bad of [{ from: 500, to: 300 }, { from: 300, to: 300 }, { from: -1, to: 10 }, { from: 0, to: 1000 }, { from: 0.5, to: 10 }, null, { to: 5 }]) {
      expect(() => checkTsGate(bad)).toThrow(TsAdapterError);
    }
  });
});

describe('t_s adapter weights', () => {
  it('from a checkpoint: LoRA kept low-rank (scale folded into B), full tensors as deltas; g = 1 is the exported fine-tune, g = 0 the base', () => {
    const kinds = tsAdapterModules(adapter.unet.keys());
    expect(kinds.get('conv_in')).toBe('dense');
    expect(kinds.get('conv_out')).toBe('lora');
    expect(tsAdapterModules(adapter.vae.keys()).get('encoder.time_embedding.linear_1')).toBe('dense');
    expect(adapter.unet.get('conv_in.delta.bias')!.shape).toEqual(base.unet.get('conv_in.bias')!.shape);
    for (const net of ['unet', 'vae'] as const) {
      const one = at(1)[net];
      for (const [k, t] of merged[net]) expect(maxAbsDiff(one.get(k)!.data, t.data), k).toBeLessThan(1e-6);
      const zero = at(0)[net];
      for (const [k, t] of base[net]) expect(zero.get(k)!.data, k).toEqual(t.data);
    }
    expect(() => checkTsAdapter(spec, { unet: shapesOf(adapter.unet), vae: shapesOf(adapter.vae) })).not.toThrow();
  });

  it('names the misfit: a wrong shape, a module the model lacks, the frozen decoder, a stray name', () => {
    const check = (unet: WeightMap, vae: WeightMap = new Map()) => () => checkTsAdapter(spec, { unet: shapesOf(unet), vae: shapesOf(vae) });
    const t = (shape: number[]): HostTensor => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    expect(check(new Map([['conv_in.delta.weight', t([1, 2, 3, 3])]]))).toThrow(/conv_in\.delta\.weight" is \[1, 2, 3, 3\], expected \[32, 4, 3, 3\]/);
    expect(check(new Map([['nope.delta.weight', t([1])]]))).toThrow(/"nope" is not a Linear or Conv2d/);
    expect(check(new Map([['conv_out.lora_A.weight', t([2, 32, 3, 3])]]))).toThrow(/conv_out\.lora_B\.weight" is missing/);
    expect(check(new Map(), new Map([['decoder.conv_in.delta.weight', t([...base.vae.get('decoder.conv_in.weight')!.shape])], ['decoder.conv_in.delta.bias', t([...base.vae.get('decoder.conv_in.bias')!.shape])]]))).toThrow(/not in the encoder/);
    expect(() => tsAdapterModules(['conv_in.weight'])).toThrow(/neither/);
  });
});

describe.each([
  ['ONNX Runtime', (w: ModelWeights) => createOnnxBackend(spec, w, { providers: ['cpu'], threads: 1 })],
  ['TF.js', (w: ModelWeights) => createTfjsBackend(spec, w, { runtime: 'cpu' })],
] as const)('the %s backend applies the adapter per sample', (_name, make) => {
  const open: Backend[] = [];
  afterAll(async () => {
    for (const b of open) await b.dispose();
  });
  const create = async (w: ModelWeights) => {
    const b = await make(w);
    open.push(b);
    return b;
  };
  const h = (shape: number[], f: (i: number) => number): HostTensor => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)) });
  const ts = (...t: number[]): HostTensor => ({ shape: [t.length], data: Float32Array.from(t) });
  const sample = h([2, 4, 8, 8], (i) => Math.sin(i * 0.3));
  const image = h([2, 3, 32, 32], (i) => Math.cos(i * 0.11) * 0.8);
  const ctx = h([2, 3, 32], (i) => Math.sin(i));
  const half = (x: HostTensor, s: number): Float32Array => x.data.slice((s * x.data.length) / 2, ((s + 1) * x.data.length) / 2);

  it('UNet and time-aware encoder: base at t_s ≤ from, the fine-tune at ≥ to, the g-blend between; the teacher UNet unchanged', async () => {
    const withAdapter = await create({ ...base, tsAdapter: adapter });
    const refs = { base: await create(base), ft: await create(merged), blend: await create(at(0.5)) };
    const run = async (b: Backend, t: HostTensor) => ({
      eps: (await b.run('unet', { sample, timestep: t, encoderHiddenStates: ctx }))['eps']!,
      moments: (await b.run('timeAwareEncoder', { sample: image, timestep: t }))['moments']!,
    });
    const mixed = await run(withAdapter, ts(100, 900));
    const low = await run(refs.base, ts(100, 100));
    const high = await run(refs.ft, ts(900, 900));
    for (const k of ['eps', 'moments'] as const) {
      expect(relativeError(half(mixed[k], 0), half(low[k], 0)), `${k} at 100`).toBeLessThan(1e-6);
      expect(relativeError(half(mixed[k], 1), half(high[k], 1)), `${k} at 900`).toBeLessThan(1e-4);
      expect(relativeError(half(mixed[k], 1), half(low[k], 1)), `${k}: the adapter matters`).toBeGreaterThan(1e-2);
    }
    // a batch at one t_s: the ONNX backend runs the adapter merged at that g (no branches); the same numbers
    const uniform = await run(withAdapter, ts(900, 900));
    for (const k of ['eps', 'moments'] as const) expect(relativeError(half(uniform[k], 1), half(mixed[k], 1)), `${k}: one g vs mixed`).toBeLessThan(1e-4);
    // g = 0.5 through the gated branches (a mixed batch) equals the weight blend at 0.5
    const mid = await run(withAdapter, ts(400, 900));
    const blend = await run(refs.blend, ts(400, 400));
    for (const k of ['eps', 'moments'] as const) expect(relativeError(half(mid[k], 0), half(blend[k], 0)), `${k} at 400`).toBeLessThan(1e-4);
    const teacher = (await withAdapter.run('teacherUnet', { sample, timestep: ts(900, 900), encoderHiddenStates: ctx }))['eps']!;
    const baseTeacher = (await refs.base.run('teacherUnet', { sample, timestep: ts(900, 900), encoderHiddenStates: ctx }))['eps']!;
    expect(relativeError(teacher.data, baseTeacher.data)).toBeLessThan(1e-6);
  });

  if (_name === 'ONNX Runtime') {
    it('the fused student graph gates the encoder and the UNet', async () => {
      const b = (await create({ ...base, tsAdapter: adapter })) as OnnxBackend;
      const ft = (await create(merged)) as OnnxBackend;
      const plain = (await create(base)) as OnnxBackend;
      const coef = (v: number): HostTensor => ({ shape: [2], data: Float32Array.of(v, v) });
      const inputs = (t: HostTensor) => ({ sample: image, timestep: t, zCoef: coef(0.9), epsCoef: coef(-0.3), encoderHiddenStates: ctx });
      const got = (await b.runGraph('student', inputs(ts(0, 999))))['image']!;
      const lo = (await plain.runGraph('student', inputs(ts(0, 0))))['image']!;
      const hi = (await ft.runGraph('student', inputs(ts(999, 999))))['image']!;
      expect(relativeError(half(got, 0), half(lo, 0))).toBeLessThan(1e-6);
      expect(relativeError(half(got, 1), half(hi, 1))).toBeLessThan(1e-4);
    });
  }
});
