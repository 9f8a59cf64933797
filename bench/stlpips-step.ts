/**
 * ms per image for the perceptual term of a training step: forward + backward of ST-LPIPS (d/d prediction) on a
 * 256² RGB image against a target, AlexNet vs VGG trunks, on the training runtime (TF.js, heavy ops as the train
 * config's default `ort`), interleaved (A, B, A, B, …) so machine load hits both alike. LPIPS-VGG v0.1 has the
 * VGG cost without the blurs. Random images (speed only); weights from models/stlpips (VGG: absent → skipped).
 *
 * Run: nice -n 10 npx tsx bench/stlpips-step.ts [--size 256] [--reps 3] [--batch 1] [--runtime wasm|cpu] [--heavy ort|tfjs]
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { pickTfjsRuntime, type TfjsRuntimeName } from '../src/backends/tfjs/runtime.js';
import { createTfjsNetOps } from '../src/backends/tfjs/tfjs-net-ops.js';
import { loadPerceptual } from '../src/graphs/training/perceptual.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const size = Number(args.get('size') ?? 256);
const reps = Number(args.get('reps') ?? 3);
const batch = Number(args.get('batch') ?? 1);
const heavy = (args.get('heavy') ?? 'ort') as 'ort' | 'tfjs';
const rt = await pickTfjsRuntime(args.has('runtime') ? { runtime: args.get('runtime') as TfjsRuntimeName } : {});
const ops = createTfjsNetOps({ heavy });

const files: Record<string, string> = {
  'stlpips-alex': new URL('../models/stlpips/alex_shift_tolerant.f16.safetensors', import.meta.url).pathname,
  'stlpips-vgg': new URL('../models/stlpips/vgg_shift_tolerant.safetensors', import.meta.url).pathname,
};
const nets = Object.entries(files).filter(([name, f]) => existsSync(f) || (console.log(`${name}: ${f} absent, skipped`), false));
const loaded = await Promise.all(nets.map(async ([name, f]) => [name, await loadPerceptual(ops, f)] as const));

const pred = tf.randomUniform([batch, 3, size, size], -1, 1, 'float32', 1);
const target = tf.randomUniform([batch, 3, size, size], -1, 1, 'float32', 2);
const times = new Map<string, number[]>(loaded.map(([n]) => [n, []]));
console.log(`${rt.detail}; heavy ops ${heavy}; ${batch}×3×${size}×${size}; ${reps} timed reps after 1 warm-up each, interleaved; machine shared`);
for (let r = 0; r <= reps; r++) {
  for (const [name, lp] of loaded) {
    const t0 = performance.now();
    const g = tf.grad((x: tf.Tensor) => lp.fn(x, target))(pred);
    await g.data();
    const ms = performance.now() - t0;
    g.dispose();
    if (r > 0) times.get(name)!.push(ms);
  }
}
for (const [name, ts] of times) {
  const sorted = [...ts].sort((a, b) => a - b);
  console.log(`${name}: forward+backward ${(sorted[Math.floor(sorted.length / 2)]! / batch).toFixed(0)} ms per ${size}² image (median of ${ts.length}; all: ${ts.map((t) => t.toFixed(0)).join(', ')} ms)`);
}
for (const [, lp] of loaded) lp.dispose();
tf.dispose([pred, target]);
