/**
 * What a t_s adapter costs at inference, on both backends, in one run: the time-aware encoder + UNet of a model
 * with an adapter (default `models/default`) for a batch at one t_s (the backends run it merged at that g) and a
 * batch of mixed t_s (the adapter's branches, gated per sample), beside the same model without its adapter.
 * Median ms over `--repeats` after one warm-up; LQ `--size`² (the encoder sees it ×4).
 *
 * ```sh
 * npx tsx bench/ts-adapter-speed.ts [--model models/default] [--size 64] [--repeats 3]
 * ```
 */
import { loadavg } from 'node:os';
import type { Backend, HostTensor } from '../src/backends/backend.js';
import { createOnnxBackend } from '../src/backends/onnx/onnx-backend.js';
import { createTfjsBackend } from '../src/backends/tfjs/tfjs-backend.js';
import { readModelDir } from '../src/graphs/model-dir.js';
import type { ModelWeights } from '../src/models/params.js';
import { median, parseArgs } from './peers-args.js';

const args = parseArgs(process.argv.slice(2));
const model = await readModelDir(args.get('model') ?? 'models/default');
if (model.weights.tsAdapter === undefined) throw new Error(`${model.dir} has no t_s adapter`);
const { gate } = model.weights.tsAdapter;
const size = 4 * args.int('size', 64);
const repeats = args.int('repeats', 3);
const { tsAdapter: _, ...plain } = model.weights;
const spec = model.manifest.spec;
const latent = size / 8;
const t = (shape: number[], f: (i: number) => number): HostTensor => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)) });
const image = t([2, 3, size, size], (i) => 0.5 * Math.sin(i * 0.01));
const z = t([2, spec.unet.inChannels, latent, latent], (i) => Math.sin(i * 0.1));

async function time(b: Backend, ts: [number, number]): Promise<number> {
  const timestep: HostTensor = { shape: [2], data: Float32Array.from(ts) };
  const once = async () => {
    const t0 = performance.now();
    await b.run('timeAwareEncoder', { sample: image, timestep });
    await b.run('unet', { sample: z, timestep });
    return performance.now() - t0;
  };
  await once();
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) ms.push(await once());
  return median(ms);
}

const hi = gate.to;
const lo = gate.from;
process.stdout.write(`# ${model.dir}: adapter on from t_s ${lo} to ${hi}; batch 2, LQ ${size / 4}² (encoder ${size}²), load average ${loadavg()[0]!.toFixed(1)}\n`);
process.stdout.write('| backend | without adapter, t_s ' + hi + ' | with, batch at one t_s (' + hi + ') | with, mixed t_s (' + lo + ', ' + hi + ') |\n|---|---|---|---|\n');
const make: Record<string, (w: ModelWeights) => Promise<Backend>> = {
  onnx: (w) => createOnnxBackend(spec, w, { providers: ['cpu'] }),
  tfjs: (w) => createTfjsBackend(spec, w),
};
for (const [name, create] of Object.entries(make)) {
  const [b0, b1] = [await create(plain), await create(model.weights)];
  const row = [await time(b0, [hi, hi]), await time(b1, [hi, hi]), await time(b1, [lo, hi])];
  await b0.dispose();
  await b1.dispose();
  process.stdout.write(`| ${name} | ${row[0]!.toFixed(0)} ms | ${row[1]!.toFixed(0)} ms (×${(row[1]! / row[0]!).toFixed(2)}) | ${row[2]!.toFixed(0)} ms (×${(row[2]! / row[0]!).toFixed(2)}) |\n`);
}
