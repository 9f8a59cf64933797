/**
 * Inference speed and memory of `upscale`: ms per image for 128×128 LQ (→ 512×512) from DRealSR on the `tiny` and
 * `small` presets (untrained weights: speed only), ONNX vs TF.js backends, beside bicubic ×4 of the same image in
 * the same run; then peak RSS while upscaling a large synthetic input through the streamed, tiled path.
 *
 * Run: npx tsx bench/tadsr-infer.ts [--part speed|memory|all] [--images 3] [--large 1000x750] [--tile 128]
 * (run `--part memory` in its own process for a clean RSS baseline).
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import sharp from 'sharp';
import { upscale } from '../src/graphs/infer.js';
import { initModelDir } from '../src/graphs/model-dir.js';
import { Upscaler } from '../src/graphs/upscaler.js';
import { decodeImage } from '../src/io/decode-image.js';
import { bicubicUpsample } from '../src/resize/bicubic-upsample.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const nImages = Number(args.get('images') ?? 3);
const [LW, LH] = (args.get('large') ?? '1000x750').split('x').map(Number) as [number, number];
const tile = Number(args.get('tile') ?? 128);
const part = args.get('part') ?? 'all';
const lrDir = new URL('../../shared/data/drealsr/lr', import.meta.url).pathname;
const files = readdirSync(lrDir).filter((f) => f.endsWith('.png')).slice(0, nImages);
const images = await Promise.all(files.map(async (f) => decodeImage(readFileSync(join(lrDir, f)))));
const root = mkdtempSync(join(tmpdir(), 'tadsr-bench-infer-'));
console.log(`machine shared (2 cores, other jobs running); ${files.length} DRealSR LQ images 128x128 -> 512x512, t_s 500`);

for (const preset of part === 'memory' ? [] : ['tiny', 'small']) {
  const dir = join(root, preset);
  await initModelDir(dir, preset, { seed: 0 });
  for (const backend of ['onnx', 'tfjs']) {
    const up = await Upscaler.load(dir, { backend });
    await up.upscale(images[0]!, { tS: 500 }); // warm-up
    let t = performance.now();
    for (const im of images) await up.upscale(im, { tS: 500 });
    const ms = (performance.now() - t) / images.length;
    t = performance.now();
    for (const im of images) bicubicUpsample(im, 4);
    const bic = (performance.now() - t) / images.length;
    console.log(`${preset} ${backend} (${up.backend.info.runtime}): ${ms.toFixed(0)} ms/image; bicubic x4 ${bic.toFixed(1)} ms/image; ratio ${(ms / bic).toFixed(0)}x`);
    await up.dispose();
  }
}

// Large input through the file path: streamed rows into an 8-bit buffer.
if (part === 'memory') await initModelDir(join(root, 'tiny'), 'tiny', { seed: 0 });
if (part !== 'speed') {
const big = join(root, 'big.png');
const raw = Buffer.alloc(LW * LH * 3);
for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) % 251;
await sharp(raw, { raw: { width: LW, height: LH, channels: 3 } }).png().toFile(big);
const rss0 = process.memoryUsage().rss;
let peak = rss0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const t0 = performance.now();
await lastValueFrom(upscale([big], join(root, 'big_x4.png'), { model: join(root, 'tiny'), tile, tS: 500 }));
clearInterval(timer);
const outBytes = LW * 4 * LH * 4 * 3;
console.log(
  `large ${LW}x${LH} -> ${LW * 4}x${LH * 4} (tiny, onnx, tile ${tile}): ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
    `peak RSS +${((peak - rss0) / 1e6).toFixed(0)} MB over start; 8-bit output buffer ${(outBytes / 1e6).toFixed(0)} MB; ` +
    `a full-size float RGB image would be ${((outBytes * 4) / 1e6).toFixed(0)} MB`,
);
}
