/**
 * A small synthetic evaluation set on disk: HR images (textured, 192×192 so NIQE has 2×2 blocks), SR results
 * with suffixed names (HR + deterministic noise), LQ images (HR downscaled ×4), and unless `bad: false` a
 * corrupt SR / empty HR pair and an unpaired SR file.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromUint8, type RgbImage } from '../../src/image.js';
import { writeImageFile } from '../../src/io/encode-image.js';
import { imresize } from '../../src/metrics/matlab-imresize.js';

export interface EvalSet {
  readonly root: string;
  readonly hr: string;
  readonly sr: string;
  readonly lq: string;
  readonly names: string[];
}

export function texture(size: number, seed: number): RgbImage {
  const bytes = new Uint8Array(size * size * 3);
  let s = seed * 7919 + 1;
  const rnd = (): number => ((s = (s * 16807) % 2147483647) / 2147483647);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const base = 120 + 60 * Math.sin(x / (5 + seed)) * Math.cos(y / 7) + (x > size / 2 ? 25 : 0);
      for (let c = 0; c < 3; c++) bytes[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base + c * 10 + (rnd() - 0.5) * 30)));
    }
  }
  return fromUint8(size, size, bytes);
}

export function noisy(img: RgbImage, amount: number, seed: number): RgbImage {
  let s = seed + 12345;
  const rnd = (): number => ((s = (s * 16807) % 2147483647) / 2147483647);
  const bytes = new Uint8Array(img.data.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(img.data[i] * 255 + (rnd() - 0.5) * amount)));
  return fromUint8(img.width, img.height, bytes);
}

export async function makeEvalSet(count = 3, size = 192, opts: { bad?: boolean } = {}): Promise<EvalSet> {
  const root = mkdtempSync(join(tmpdir(), 'tadsr-eval-'));
  const hr = join(root, 'hr');
  const sr = join(root, 'sr');
  const lq = join(root, 'lq');
  for (const d of [hr, sr, lq]) mkdirSync(d, { recursive: true });
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `img_${i}_x1`;
    names.push(name);
    const h = texture(size, i + 1);
    await writeImageFile(join(hr, `${name}.png`), h);
    // Alternate the SR naming: exact, "_out" suffix, "-tadsr" suffix.
    const suffix = ['', '_out', '-tadsr'][i % 3];
    await writeImageFile(join(sr, `${name}${suffix}.png`), noisy(h, 20 + 10 * i, i));
    await writeImageFile(join(lq, `${name}.png`), imresize(h, 0.25));
  }
  if (opts.bad ?? true) {
    writeFileSync(join(sr, 'zz_broken_x1.png'), Buffer.from('not a png'));
    writeFileSync(join(hr, 'zz_broken_x1.png'), Buffer.alloc(0));
    await writeImageFile(join(sr, 'stray.png'), texture(32, 9));
  }
  return { root, hr, sr, lq, names };
}
