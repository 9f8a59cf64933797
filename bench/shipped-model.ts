/**
 * Speed of the shipped model (`models/default`, run by the code behind `tadsr upscale`: ONNX Runtime CPU) beside
 * UpscalerJS's ESRGAN slim and thick (npm, browser UMD bundle on tfjs-wasm), in one run:
 *
 * - ms per 128×128 → 512×512 image: median over the first N DRealSR LQ images (model load and one warm-up
 *   image excluded);
 * - seconds for one 1024×768 photo → 4096×3072, tiled (tadsr: LQ tiles of 128 with 32 px Gaussian-blended
 *   overlap; UpscalerJS: patchSize 128, padding 16).
 *
 * The machine is shared: read the ratios, and the load average printed beside each row.
 *
 * ```sh
 * npx tsx bench/shipped-model.ts                       # 5 images each, tiled rows for all three
 * npx tsx bench/shipped-model.ts --images 10 --no-thick-tiled --t-s 500 --model models/default
 * npx tsx bench/shipped-model.ts --also realesr-general-x4v3,models/small-vae16-old   # more rows, same run
 * ```
 * `--also` adds rows for more models run the same way: model folders or GAN peer names (tools/convert-peer.ts).
 */
import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { decodeImage } from '../src/io/decode-image.js';
import { resolveImagePaths } from '../src/io/list-images.js';
import type { RgbImage } from '../src/image.js';
import { median, parseArgs } from './peers-args.js';
import { loadTadsrPeer } from './peers-tadsr.js';
import { resolvePeerModel } from '../src/peers/peer-dir.js';
import { loadUpscalerJsPeer, type UpscalerJsModelName } from './peers-upscalerjs-model.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = parseArgs(process.argv.slice(2));
const model = args.get('model') ?? resolve(repoRoot, 'models/default');
const lrDir = args.get('lr') ?? resolve(repoRoot, '../shared/data/drealsr/lr');
const nImages = args.int('images', 5);
const tS = args.int('t-s', 500);
const thickTiled = !args.flag('no-thick-tiled');
const thickImages = args.int('thick-images', Math.min(nImages, 3));
const also = (args.get('also') ?? '').split(',').filter((x) => x.length > 0);

interface Runner {
  name: string;
  runtime(): string;
  loadMs: number;
  whole(lq: RgbImage): Promise<RgbImage>;
  tiled(lq: RgbImage): Promise<RgbImage>;
  dispose(): Promise<void>;
}

async function tadsrRunner(model: string): Promise<Runner> {
  const p = await loadTadsrPeer(model, tS);
  if ('skipped' in p) throw new Error(p.skipped);
  return { name: `tadsr ${model.replace(`${repoRoot}/`, '')}${resolvePeerModel(model) !== undefined ? ' (GAN peer)' : ` t_s=${tS}`}`, runtime: () => p.runtime, loadMs: p.loadMs, whole: p.upscale, tiled: p.upscaleTiled, dispose: () => p.dispose() };
}

async function ujsRunner(name: UpscalerJsModelName): Promise<Runner> {
  const t0 = performance.now();
  const p = await loadUpscalerJsPeer(name);
  return {
    name,
    runtime: () => p.runtime,
    loadMs: performance.now() - t0,
    whole: (lq) => p.upscale(lq),
    tiled: (lq) => p.upscale(lq, { patchSize: 128, padding: 16 }),
    dispose: () => p.dispose(),
  };
}

async function main(): Promise<void> {
  const paths = resolveImagePaths(lrDir).slice(0, nImages + 1);
  const lqs = await Promise.all(paths.map(async (p) => decodeImage(await readFile(p))));
  const kodak = resolveImagePaths(resolve(repoRoot, '../shared/data/train/kodak24'))[0]!;
  const big = await decodeImage(await sharp(kodak).resize(1024, 768, { fit: 'cover', kernel: 'lanczos3' }).png().toBuffer());
  console.log(`# ${cpus().length}× ${cpus()[0]?.model ?? '?'}, load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')} (shared machine)`);
  console.log(`# whole images: ${lrDir} (first ${nImages} after one warm-up; esrgan-thick: ${thickImages}); tiled: ${kodak} → 1024×768`);

  const rows: { name: string; runtime: string; loadMs: number; ms: number; n: number; tiledS?: number; load: number }[] = [];
  const makers: [string, () => Promise<Runner>][] = [
    ['tadsr', () => tadsrRunner(model)],
    ...also.map((m): [string, () => Promise<Runner>] => [m, () => tadsrRunner(m)]),
    ['esrgan-slim', () => ujsRunner('esrgan-slim')],
    ['esrgan-thick', () => ujsRunner('esrgan-thick')],
  ];
  for (const [key, make] of makers) {
    const r = await make();
    await r.whole(lqs[0]!);
    const n = key === 'esrgan-thick' ? thickImages : nImages;
    const times: number[] = [];
    for (const lq of lqs.slice(1, n + 1)) {
      const t0 = performance.now();
      const out = await r.whole(lq);
      times.push(performance.now() - t0);
      if (out.width !== lq.width * 4) throw new Error(`${r.name}: output ${out.width} wide for ${lq.width}`);
    }
    let tiledS: number | undefined;
    if (key !== 'esrgan-thick' || thickTiled) {
      const t0 = performance.now();
      const out = await r.tiled(big);
      tiledS = (performance.now() - t0) / 1000;
      if (out.width !== 4096 || out.height !== 3072) throw new Error(`${r.name}: tiled output ${out.width}×${out.height}`);
    }
    const row = { name: r.name, runtime: r.runtime(), loadMs: r.loadMs, ms: median(times), n: times.length, ...(tiledS !== undefined ? { tiledS } : {}), load: loadavg()[0]! };
    rows.push(row);
    console.log(`# done ${JSON.stringify(row)}`);
    await r.dispose();
  }
  const base = rows.find((r) => r.name === 'esrgan-slim')!;
  console.log('\n| method | runtime | 128→512 ms (median) | × esrgan-slim | 1024×768 tiled, s | × esrgan-slim | load avg after |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const tiled = r.tiledS === undefined ? '–' : r.tiledS.toFixed(1);
    const tr = r.tiledS === undefined || base.tiledS === undefined ? '–' : (r.tiledS / base.tiledS).toFixed(2);
    console.log(`| ${r.name} (n=${r.n}) | ${r.runtime} | ${r.ms.toFixed(0)} | ${(r.ms / base.ms).toFixed(2)} | ${tiled} | ${tr} | ${r.load.toFixed(1)} |`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
