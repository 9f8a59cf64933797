import { afterAll, describe, expect, it } from 'vitest';
import type { HostTensor } from '../../../src/backends/backend.js';
import { createOnnxBackend, type OnnxBackend } from '../../../src/backends/onnx/onnx-backend.js';
import { decodeModel } from '../../../src/backends/onnx/onnx-proto.js';
import { emitSubNetwork } from '../../../src/backends/onnx/emit.js';
import { initParams } from '../../../src/models/params.js';
import { presets } from '../../../src/models/presets.js';
import { CONTEXT_TOKENS } from '../../../src/models/text-condition.js';
import { relativeError } from '../../fixtures/parity/load-fixture.js';

const spec = presets.tiny;
const weights = initParams(spec, 3);
const open: OnnxBackend[] = [];
afterAll(async () => {
  for (const b of open) await b.dispose();
});

function randn(shape: number[], seed: number) {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    data[i] = (s / 2147483648) * 2 - 1;
  }
  return { shape, data };
}

describe('ONNX backend', () => {
  it('emits standard ONNX (opset 18, named inputs/outputs, initializers by diffusers name)', () => {
    const e = emitSubNetwork(spec, 'vaeDecoder', weights);
    const m = decodeModel(e.bytes);
    expect(m.opset_import[0]!.version).toBe(18);
    expect(m.graph.input.map((i) => i.name)).toEqual(['latent']);
    expect(m.graph.output.map((o) => o.name)).toEqual(['image']);
    expect(m.graph.initializer.map((i) => i.name)).toContain('decoder.conv_in.weight');
  });

  it('a zero-initialised time-aware encoder equals the plain encoder at any t', async () => {
    const b = await createOnnxBackend(spec, weights, { providers: ['cpu'] });
    open.push(b);
    const x = randn([1, 3, 32, 32], 1);
    const { moments: plain } = await b.run('vaeEncoder', { sample: x });
    for (const t of [1, 500, 999]) {
      const { moments } = await b.run('timeAwareEncoder', { sample: x, timestep: { shape: [1], data: Float32Array.of(t) } });
      expect(relativeError(moments!.data, plain!.data)).toBeLessThan(1e-6);
    }
  });

  it('the fused student graph equals encode → UNet → decode run separately', async () => {
    const b = await createOnnxBackend(spec, weights, { providers: ['cpu'] });
    open.push(b);
    const x = randn([1, 3, 32, 32], 2);
    const ts = { shape: [1], data: Float32Array.of(500) };
    const ctx = { shape: [1, 1, 32], data: new Float32Array(32) };
    const [zCoef, epsCoef] = [1.3, -0.7];
    const { image } = await b.runGraph('student', { sample: x, timestep: ts, zCoef: { shape: [1], data: Float32Array.of(zCoef) }, epsCoef: { shape: [1], data: Float32Array.of(epsCoef) }, encoderHiddenStates: ctx });
    const { moments } = await b.run('timeAwareEncoder', { sample: x, timestep: ts });
    const half = moments!.data.length / 2;
    const sf = spec.vae.scalingFactor;
    const z = { shape: [1, 4, 4, 4], data: moments!.data.slice(0, half).map((v) => v * sf) };
    const { eps } = await b.run('unet', { sample: z, timestep: ts, encoderHiddenStates: ctx });
    const latent = { shape: z.shape, data: z.data.map((v, i) => (zCoef * v + epsCoef * eps!.data[i]!) / sf) };
    const { image: ref } = await b.run('vaeDecoder', { latent });
    expect(image!.shape).toEqual([1, 3, 32, 32]);
    expect(relativeError(image!.data, ref!.data)).toBeLessThan(1e-5);
  });

  it('runSync (CPU) answers on the calling thread with what run gives: teacherUnet with its own weights, decoder', async () => {
    const teacherUnet = initParams(spec, 9).unet;
    const b = await createOnnxBackend(spec, weights, { providers: ['cpu'], teacherUnet });
    open.push(b);
    expect(typeof b.runSync).toBe('function');
    const z = randn([2, spec.unet.inChannels, 8, 8], 4);
    const timestep = { shape: [2], data: Float32Array.of(100, 700) };
    const d = spec.unet.crossAttentionDim;
    const ctx: Record<string, HostTensor> = d === null ? {} : { encoderHiddenStates: randn([2, CONTEXT_TOKENS, d], 6) };
    const sync = b.runSync!('teacherUnet', { sample: z, timestep, ...ctx });
    const async_ = await b.run('teacherUnet', { sample: z, timestep, ...ctx });
    expect(sync['eps']!.shape).toEqual([2, spec.unet.outChannels, 8, 8]);
    expect(relativeError(sync['eps']!.data, async_['eps']!.data)).toBeLessThan(1e-5);
    const student = b.runSync!('unet', { sample: z, timestep, ...ctx });
    expect(relativeError(student['eps']!.data, sync['eps']!.data)).toBeGreaterThan(1e-2); // teacher weights are its own
    const latent = randn([1, spec.vae.latentChannels, 4, 4], 5);
    const dec = b.runSync!('vaeDecoder', { latent });
    expect(relativeError(dec['image']!.data, (await b.run('vaeDecoder', { latent }))['image']!.data)).toBeLessThan(1e-5);
  });

  it('offers no runSync when a GPU provider is asked for (the native session here is CPU only)', async () => {
    const b = await createOnnxBackend(spec, weights, { providers: ['webgpu', 'cpu'] });
    open.push(b);
    expect(b.runSync).toBeUndefined();
  });

  it('keeps the event loop free while a session runs (worker thread)', async () => {
    const b = await createOnnxBackend(presets.small, initParams(presets.small, 0), { providers: ['cpu'] });
    open.push(b);
    await b.prepare(['vaeDecoder']);
    // A blocking run would show as one gap between timer ticks as long as the run itself; a run in a worker
    // thread leaves the loop ticking. Gaps (not tick counts) keep this robust on a loaded machine.
    const stamps: number[] = [];
    const timer = setInterval(() => stamps.push(performance.now()), 5);
    const started = performance.now();
    await b.run('vaeDecoder', { latent: randn([1, 4, 32, 32], 3) }); // ≈ 150 ms on a quiet 2-core machine
    const ended = performance.now();
    clearInterval(timer);
    const ms = ended - started;
    const points = [started, ...stamps, ended];
    const maxGap = Math.max(...points.slice(1).map((t, i) => t - points[i]!));
    expect(ms).toBeGreaterThan(50); // a run long enough to see ticks
    expect(stamps.length).toBeGreaterThanOrEqual(3);
    expect(maxGap).toBeLessThan(ms * 0.6);
  });

  it('says which execution provider ran, and fails clearly when CUDA is asked for but absent', async () => {
    const b = await createOnnxBackend(spec, weights, { providers: ['cpu'], threads: 1 });
    open.push(b);
    await b.prepare(['vaeDecoder']);
    expect(b.info.runtime).toMatch(/^onnxruntime-node 1\.22\.0 cpu \(1 threads\)/);
    const c = await createOnnxBackend(spec, weights, { providers: ['cuda'] });
    open.push(c);
    await expect(c.prepare(['vaeDecoder'])).rejects.toThrow(/no execution provider could load the model \(cuda:/);
  });
});
