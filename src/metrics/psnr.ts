/**
 * PSNR in the pyiqa and BasicSR conventions (see {@link FullReferenceOptions}).
 *
 * - pyiqa: `10·log10(1 / (mse + 1e-8))` on [0, 1] values (float32 Y, unrounded) — never infinite (80 dB max).
 * - BasicSR: `10·log10(255² / mse)` on [0, 255] values (float32 Y, unrounded) — `Infinity` for identical images.
 *
 * ```ts
 * psnr(sr, hr);                                                   // pyiqa Y, as papers report
 * psnr(sr, hr, { convention: 'basicsr', cropBorder: 4 });         // BasicSR validation, Y
 * ```
 */
import type { RgbImage } from '../image.js';
import { yBasicsr, yPyiqa } from './color.js';
import type { FullReferenceOptions } from './convention.js';
import { type Plane, assertSameSize, channelPlane, cropPlane } from './plane.js';

export function psnr(a: RgbImage, b: RgbImage, opts: FullReferenceOptions = {}): number {
  assertSameSize(a, b, 'psnr');
  const crop = opts.cropBorder ?? 0;
  const y = opts.yChannel ?? true;
  return (opts.convention ?? 'pyiqa') === 'pyiqa' ? psnrPyiqa(a, b, y, crop) : psnrBasicsr(a, b, y, crop);
}

function psnrPyiqa(a: RgbImage, b: RgbImage, y: boolean, crop: number): number {
  const pa = y ? [yPyiqa(a, 1)] : [0, 1, 2].map((c) => channelPlane(a, c as 0 | 1 | 2));
  const pb = y ? [yPyiqa(b, 1)] : [0, 1, 2].map((c) => channelPlane(b, c as 0 | 1 | 2));
  // torch: (x - y) in float32, squared and averaged (here in float64; float32 accumulation order is not portable).
  const mse = meanSquaredDiff(pa.map((p) => cropPlane(p, crop)), pb.map((p) => cropPlane(p, crop)), true);
  return 10 * Math.log10(1 / (mse + 1e-8));
}

function psnrBasicsr(a: RgbImage, b: RgbImage, y: boolean, crop: number): number {
  const pa = y ? [yBasicsr(a)] : rgb255(a);
  const pb = y ? [yBasicsr(b)] : rgb255(b);
  const mse = meanSquaredDiff(pa.map((p) => cropPlane(p, crop)), pb.map((p) => cropPlane(p, crop)), false);
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/**
 * R, G, B planes on the [0, 255] scale BasicSR receives. An 8-bit image (`bitDepth === 8`) is mapped back to its
 * exact integers; other images are scaled by 255.
 */
export function rgb255(img: RgbImage): Plane[] {
  const f = img.bitDepth === 8 ? (v: number) => Math.round(v * 255) : (v: number) => v * 255;
  return [0, 1, 2].map((c) => channelPlane(img, c as 0 | 1 | 2, f));
}

function meanSquaredDiff(pa: Plane[], pb: Plane[], float32Diff: boolean): number {
  let sum = 0;
  let n = 0;
  for (let c = 0; c < pa.length; c++) {
    const x = pa[c].data;
    const z = pb[c].data;
    for (let i = 0; i < x.length; i++) {
      const d = float32Diff ? Math.fround(x[i] - z[i]) : x[i] - z[i];
      sum += d * d;
    }
    n += x.length;
  }
  return sum / n;
}
