/**
 * What sharing statistics across tiles costs and buys (`upscale --shared-norm`, issue 9 item 4 / issue 10): one
 * LQ crop that needs tiles, `Upscaler.upscale` (the graph `tadsr upscale` runs) with tiles on their own (the
 * default) and tiles sharing statistics, each after a warm-up on a two-tile image (sessions created, the lockstep's
 * per-segment sessions included); ms/image, the ratio, PSNR (RGB, [0, 1], float) of each against the same image run
 * whole (one tile), and the process's RSS after each.
 *
 * ```sh
 * nice -n 10 npx tsx bench/shared-norm-cost.ts [--model models/default] \
 *   [--image ../shared/data/train/kodak24/kodim03.png] [--size 256] [--tile 128 --overlap 32] [--t-s 300]
 * ```
 */
import { parseArgs } from 'node:util';
import { Upscaler } from '../src/graphs/upscaler.js';
import { cropImage, type RgbImage } from '../src/image.js';
import { readImageFile } from '../src/io/read-image-file.js';
import { planTiles } from '../src/tiling/plan.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/default' },
    image: { type: 'string', default: new URL('../../shared/data/train/kodak24/kodim03.png', import.meta.url).pathname },
    size: { type: 'string', default: '256' },
    tile: { type: 'string', default: '128' },
    overlap: { type: 'string', default: '32' },
    't-s': { type: 'string' },
  },
});

const N = Number(values.size);
const tile = Number(values.tile);
const overlap = Number(values.overlap);
const src = await readImageFile(values.image);
const centre = (w: number, h: number) => cropImage(src, Math.floor((src.width - w) / 2), Math.floor((src.height - h) / 2), w, h);
const lq = centre(N, N);
const warm = centre(tile + 8, tile);

function psnr(a: RgbImage, b: RgbImage): number {
  let se = 0;
  for (let i = 0; i < a.data.length; i++) se += (a.data[i]! - b.data[i]!) ** 2;
  return 10 * Math.log10(1 / (se / a.data.length));
}

const up = await Upscaler.load(values.model);
const tS = values['t-s'] === undefined ? undefined : Number(values['t-s']);
const common = { ...(tS === undefined ? {} : { tS }), tile, overlap };
const mib = () => `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`;
try {
  const tiles = planTiles(N, N, { tile, overlap }).tiles.length;
  process.stdout.write(`${values.model} on ${up.backend.info.runtime}; ${values.image} centre ${N}² → ${N * 4}², tile ${tile}/${overlap} (${tiles} tiles)\n`);
  process.stdout.write(`loaded (rss ${mib()})\n`);
  await up.upscale(warm, common);
  process.stdout.write(`warmed up tiles on their own (rss ${mib()})\n`);
  await up.upscale(warm, { ...common, sharedNorm: true });
  process.stdout.write(`warmed up tiles sharing statistics (rss ${mib()})\n`);
  const time = async (o: Parameters<Upscaler['upscale']>[1]) => {
    const t0 = performance.now();
    const out = await up.upscale(lq, o);
    return { out, ms: performance.now() - t0, rss: mib() };
  };
  const whole = await time({ ...common, tile: N });
  const independent = await time(common);
  const shared = await time({ ...common, sharedNorm: true });
  process.stdout.write(`whole image (one tile): ${whole.ms.toFixed(0)} ms (rss ${whole.rss})\n`);
  process.stdout.write(`tiles on their own:     ${independent.ms.toFixed(0)} ms, ${psnr(independent.out, whole.out).toFixed(2)} dB vs whole (rss ${independent.rss})\n`);
  process.stdout.write(`tiles sharing stats:    ${shared.ms.toFixed(0)} ms, ${psnr(shared.out, whole.out).toFixed(2)} dB vs whole (rss ${shared.rss})\n`);
  process.stdout.write(`shared / independent time: ${(shared.ms / independent.ms).toFixed(2)}×\n`);
} finally {
  await up.dispose();
}
