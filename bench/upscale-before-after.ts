/**
 * `upscale` ms/image of this tree against another checkout of tadsr (e.g. the commit before a refactor), in one
 * process, each image timed on one tree right after the other (order alternating) so both see the same machine load; and the max |Δ| between their outputs
 * (the same model must give the same image).
 *
 * Run: nice -n 10 npx tsx bench/upscale-before-after.ts --before DIR [--model models/default] [--images 4] [--rounds 3]
 * (DIR holds the other tree's `src/`, e.g. `git archive REV src | tar -x -C .tmp/before`; it must sit inside this
 * repository so that its imports find node_modules.)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeImage } from '../src/io/decode-image.js';
import type { RgbImage } from '../src/image.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const before = args.get('before');
if (before === undefined) throw new Error('give --before DIR (a tree with src/)');
const model = resolve(args.get('model') ?? 'models/default');
const nImages = Number(args.get('images') ?? 4);
const rounds = Number(args.get('rounds') ?? 3);
const lrDir = new URL('../../shared/data/drealsr/lr', import.meta.url).pathname;
const files = readdirSync(lrDir).filter((f) => f.endsWith('.png')).sort().slice(0, nImages);
const images = await Promise.all(files.map(async (f) => decodeImage(readFileSync(join(lrDir, f)))));

interface Up {
  upscale(lq: RgbImage, o: { id: string }): Promise<RgbImage>;
  dispose(): Promise<void>;
  backend: { info: { runtime: string } };
}
async function load(root: string): Promise<Up> {
  const mod = (await import(pathToFileURL(join(root, 'src/peers/load-upscaler.ts')).href)) as { loadUpscaler(m: string): Promise<Up> };
  return mod.loadUpscaler(model);
}
const trees = { before: await load(resolve(before)), after: await load(resolve('.')) };
const times: Record<string, number[]> = { before: [], after: [] };
const outs: Record<string, RgbImage[]> = { before: [], after: [] };
for (const [name, up] of Object.entries(trees)) outs[name] = [await up.upscale(images[0]!, { id: files[0]! })]; // warm-up
console.log('loaded and warmed up');
// pairs: each image by one tree then the other (alternating which goes first), so load drift hits both alike
const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < images.length; i++) {
    const order = (r + i) % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    const pair: Record<string, number> = {};
    for (const name of order) {
      const t0 = performance.now();
      const sr = await trees[name].upscale(images[i]!, { id: files[i]! });
      pair[name] = performance.now() - t0;
      times[name]!.push(pair[name]!);
      if (r === 0) outs[name]![i] = sr;
    }
    ratios.push(pair['after']! / pair['before']!);
    console.log(`round ${r} ${files[i]}: before ${pair['before']!.toFixed(0)} ms, after ${pair['after']!.toFixed(0)} ms`);
  }
}
let diff = 0;
for (let i = 0; i < images.length; i++) {
  const a = outs['before']![i]!.data;
  const b = outs['after']![i]!.data;
  for (let k = 0; k < a.length; k++) diff = Math.max(diff, Math.abs(a[k]! - b[k]!));
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
console.log(`${model}, ${files.length} DRealSR LQ images (${images.map((m) => `${m.width}x${m.height}`).join(', ')}), ${rounds} interleaved rounds, ${trees.after.backend.info.runtime}`);
for (const name of ['before', 'after']) console.log(`${name}: median ${median(times[name]!).toFixed(0)} ms/image, mean ${mean(times[name]!).toFixed(0)} ms/image`);
console.log(`after / before, median over the ${ratios.length} pairs: ${median(ratios).toFixed(3)}`);
console.log(`max |after − before| over the outputs: ${diff.toExponential(2)}`);
for (const up of Object.values(trees)) await up.dispose();
