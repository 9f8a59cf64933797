import { afterAll, describe, expect, it } from 'vitest';
import type { HostTensor, SubNetwork } from '../../../src/backends/backend.js';
import { createOnnxBackend, type OnnxBackend } from '../../../src/backends/onnx/onnx-backend.js';
import { decodeModel } from '../../../src/backends/onnx/onnx-proto.js';
import { emitSubNetwork } from '../../../src/backends/onnx/emit.js';
import { GroupNormCutOps, segmentGraph } from '../../../src/backends/onnx/shared-norm.js';
import { initParams } from '../../../src/models/params.js';
import { presets } from '../../../src/models/presets.js';

// the tiny preset without the VAE's mid-block attention (global, so not shareable by GroupNorm statistics)
const spec = { ...presets.tiny, vae: { ...presets.tiny.vae, midBlockAddAttention: false } };
const weights = initParams(spec, 5);
let backend: Promise<OnnxBackend> | undefined;
const b = () => (backend ??= createOnnxBackend(spec, weights, { providers: ['cpu'], threads: 1 }));
afterAll(async () => {
  await (await backend)?.dispose();
});

function wave(shape: number[], f: number): HostTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, (_, i) => Math.sin(i * f) * 0.6 + Math.cos(i * 0.011) * 0.3) };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** `[1, C, H, W]` columns `[x0, x1)`. */
function cropCols(t: HostTensor, x0: number, x1: number): HostTensor {
  const [, c, h, w] = t.shape as [number, number, number, number];
  const out = new Float32Array(c * h * (x1 - x0));
  for (let k = 0; k < c * h; k++) out.set(t.data.subarray(k * w + x0, k * w + x1), k * (x1 - x0));
  return { shape: [1, c, h, x1 - x0], data: out };
}

describe('shared GroupNorm statistics on ONNX Runtime', () => {
  it('cuts a graph at every GroupNorm; no segment carries shape values', () => {
    let ops: GroupNormCutOps | undefined;
    const bytes = emitSubNetwork(spec, 'unet', weights, { netOps: (g) => (ops = new GroupNormCutOps(g)) }).bytes;
    const sg = segmentGraph(decodeModel(bytes), ops!.cuts);
    expect(sg.cuts.length).toBeGreaterThan(10);
    expect(sg.segments.length).toBe(sg.cuts.length + 1);
    expect(sg.segments[0]!.inputs).toContain('sample');
    expect(sg.segments.at(-1)!.outputs).toEqual(['eps']);
    // every cut's GroupNorm input leaves the graph before the cut and its statistics enter right after it
    sg.cuts.forEach((c, k) => {
      if (c.kind !== 'groupNorm') throw new Error('no attention cuts without the option');
      expect(sg.segments[k + 1]!.inputs).toEqual(expect.arrayContaining([c.mean, c.rstd]));
      expect(sg.segments.slice(0, k + 1).some((s) => s.outputs.includes(c.x))).toBe(true);
    });
  });

  const nets: { net: SubNetwork; inputs: () => Record<string, HostTensor> }[] = [
    { net: 'vaeEncoder', inputs: () => ({ sample: wave([1, 3, 32, 48], 0.013) }) },
    { net: 'timeAwareEncoder', inputs: () => ({ sample: wave([1, 3, 32, 48], 0.017), timestep: { shape: [1], data: Float32Array.of(321) } }) },
    { net: 'unet', inputs: () => ({ sample: wave([1, spec.vae.latentChannels, 8, 16], 0.07), timestep: { shape: [1], data: Float32Array.of(500) }, encoderHiddenStates: wave([1, 1, spec.unet.crossAttentionDim ?? 0], 0.3) }) },
    { net: 'vaeDecoder', inputs: () => ({ latent: wave([1, spec.vae.latentChannels, 8, 12], 0.05) }) },
  ];

  it.each(nets)('one tile owning everything gives the plain graph\'s $net output', async ({ net, inputs }) => {
    const x = inputs();
    if (spec.unet.crossAttentionDim === null) delete (x as Record<string, HostTensor>)['encoderHiddenStates'];
    const plain = Object.values(await (await b()).run(net, x))[0]!;
    const [shared] = await (await b()).runSharedNorm(net, [{ inputs: x, owned: { x0: 0, x1: 1, y0: 0, y1: 1 } }]);
    const out = Object.values(shared!)[0]!;
    expect(out.shape).toEqual(plain.shape);
    expect(maxAbsDiff(out.data, plain.data)).toBeLessThan(2e-4);
  });

  it('two tiles sharing statistics decode as the whole latent does far from their border; per-tile statistics do not', async () => {
    const be = await b();
    const z = wave([1, spec.vae.latentChannels, 8, 48], 0.05);
    const whole = (await be.run('vaeDecoder', { latent: z }))['image']!;
    const left = cropCols(z, 0, 36);
    const right = cropCols(z, 12, 48);
    // left owns latent columns [0, 24), right [24, 48): owned cells are ≥ 12 cells from a tile border
    const [l, r] = await be.runSharedNorm('vaeDecoder', [
      { inputs: { latent: left }, owned: { x0: 0, x1: 24 / 36, y0: 0, y1: 1 } },
      { inputs: { latent: right }, owned: { x0: 12 / 36, x1: 1, y0: 0, y1: 1 } },
    ]);
    const lPlain = (await be.run('vaeDecoder', { latent: left }))['image']!;
    const rPlain = (await be.run('vaeDecoder', { latent: right }))['image']!;
    // pixel columns 0..63 of the left tile (latent 0..7) are 28 latent cells from its right border; the right
    // tile's last 64 columns likewise from its left border
    const lWhole = cropCols(whole, 0, 64).data;
    const rWhole = cropCols(whole, 320, 384).data;
    const errShared = Math.max(maxAbsDiff(cropCols(l!['image']!, 0, 64).data, lWhole), maxAbsDiff(cropCols(r!['image']!, 224, 288).data, rWhole));
    const errPlain = Math.max(maxAbsDiff(cropCols(lPlain, 0, 64).data, lWhole), maxAbsDiff(cropCols(rPlain, 224, 288).data, rWhole));
    expect(errPlain, `per-tile ${errPlain}, shared ${errShared}`).toBeGreaterThan(1e-2);
    expect(errShared, `per-tile ${errPlain}, shared ${errShared}`).toBeLessThan(errPlain / 20);
  });

  it('with the VAE\'s mid-block attention, tiles also share keys and values (GroupNorm alone is not enough)', async () => {
    const specAttn = presets.tiny;
    const be = await createOnnxBackend(specAttn, initParams(specAttn, 5), { providers: ['cpu'], threads: 1 });
    try {
      const z = wave([1, specAttn.vae.latentChannels, 8, 48], 0.05);
      const whole = (await be.run('vaeDecoder', { latent: z }))['image']!;
      const tiles = [
        { inputs: { latent: cropCols(z, 0, 36) }, owned: { x0: 0, x1: 24 / 36, y0: 0, y1: 1 } },
        { inputs: { latent: cropCols(z, 12, 48) }, owned: { x0: 12 / 36, x1: 1, y0: 0, y1: 1 } },
      ];
      const err = (outs: Record<string, HostTensor>[]) =>
        Math.max(maxAbsDiff(cropCols(outs[0]!['image']!, 0, 64).data, cropCols(whole, 0, 64).data), maxAbsDiff(cropCols(outs[1]!['image']!, 224, 288).data, cropCols(whole, 320, 384).data));
      const gnOnly = err(await be.runSharedNorm('vaeDecoder', tiles, { attention: false }));
      const both = err(await be.runSharedNorm('vaeDecoder', tiles));
      expect(gnOnly, `GroupNorm only ${gnOnly}, with attention ${both}`).toBeGreaterThan(1e-3);
      expect(both, `GroupNorm only ${gnOnly}, with attention ${both}`).toBeLessThan(gnOnly / 20);
    } finally {
      await be.dispose();
    }
  });
});
