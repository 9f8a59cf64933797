/**
 * How big can the `small` preset be? Student forward (TAE + UNet + decoder, fused ONNX graph) at 128→512 on
 * ORT CPU for candidate widths, each beside a 2048³ MatMul measured just before it (paired: load varies).
 *
 *   npx tsx bench/ort-small-sizing.ts
 */
import { createOnnxBackend } from '../src/backends/onnx/onnx-backend.js';
import { flopsOf } from '../src/models/flops.js';
import { countParams, initParams, paramShapes } from '../src/models/params.js';
import { presets } from '../src/models/presets.js';
import type { ModelSpec } from '../src/models/specs.js';
import { matmulBaseline, median, noise } from './ort-common.js';

const base = presets.small;
const candidates: Record<string, ModelSpec> = {
  'vae16-unet64': { ...base, vae: { ...base.vae, blockOutChannels: [16, 32, 64, 64], normNumGroups: 8 } },
  'vae32-unet64 (small)': base,
  'vae32-unet128': { ...base, unet: { ...base.unet, blockOutChannels: [128, 256, 256], attentionHeads: [2, 4, 4] } },
  'vae64-unet128': {
    ...base,
    vae: { ...base.vae, blockOutChannels: [64, 128, 256, 256], normNumGroups: 32 },
    unet: { ...base.unet, blockOutChannels: [128, 256, 256], attentionHeads: [2, 4, 4] },
  },
};

console.log('candidate | params | GFLOP/image | ms/image (median of 3) | GFLOP/s | MatMul 2048³ GFLOP/s (just before) | share');
for (const [name, spec] of Object.entries(candidates)) {
  const mm = await matmulBaseline(); // paired: the machine's load changes between candidates
  const b = await createOnnxBackend(spec, initParams(spec, 0), { providers: ['cpu'] });
  await b.prepare(['student']);
  const feeds = {
    sample: noise([1, 3, 512, 512]),
    timestep: { shape: [1], data: Float32Array.of(500) },
    zCoef: { shape: [1], data: Float32Array.of(1.2) },
    epsCoef: { shape: [1], data: Float32Array.of(-0.7) },
  };
  await b.runGraph('student', feeds);
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    await b.runGraph('student', feeds);
    times.push(b.lastRunMs);
  }
  await b.dispose();
  const f = flopsOf(spec, 'student', 512, 512);
  const gf = (f.dense + f.other) / 1e9;
  const ms = median(times);
  const rate = gf / (ms / 1e3);
  console.log(`${name} | ${(countParams(paramShapes(spec)) / 1e6).toFixed(1)}M | ${gf.toFixed(1)} | ${ms.toFixed(0)} | ${rate.toFixed(1)} | ${mm.gflops.toFixed(1)} | ${((100 * rate) / mm.gflops).toFixed(0)} %`);
}
