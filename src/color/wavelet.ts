/**
 * Wavelet colour fix (OSEDiff's option): split both images into high and low frequencies with 5 levels of a
 * dilated 3×3 binomial blur ([1,2,1]ᵀ[1,2,1]/16, dilation 2^i, replicate padding), keep the high frequencies of
 * the super-resolved image and the low frequencies of the reference, clamp to [0, 1].
 *
 * ```ts
 * const fixed = waveletColorFix(sr, bicubicUp(lq, 4));
 * ```
 */
import { type RgbImage, createImage } from '../image.js';

const LEVELS = 5;
const K = [0.25, 0.5, 0.25];

/** One dilated binomial blur with replicate padding (radius = dilation), interleaved RGB. */
export function waveletBlur(data: Float32Array, width: number, height: number, radius: number): Float32Array {
  const tmp = new Float32Array(data.length);
  const out = new Float32Array(data.length);
  const clampX = (x: number): number => (x < 0 ? 0 : x >= width ? width - 1 : x);
  const clampY = (y: number): number => (y < 0 ? 0 : y >= height ? height - 1 : y);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const l = (row + clampX(x - radius)) * 3;
      const m = (row + x) * 3;
      const r = (row + clampX(x + radius)) * 3;
      for (let c = 0; c < 3; c++) tmp[m + c] = K[0] * data[l + c] + K[1] * data[m + c] + K[2] * data[r + c];
    }
  }
  for (let y = 0; y < height; y++) {
    const up = clampY(y - radius) * width;
    const dn = clampY(y + radius) * width;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const u = (up + x) * 3;
      const m = (row + x) * 3;
      const d = (dn + x) * 3;
      for (let c = 0; c < 3; c++) out[m + c] = K[0] * tmp[u + c] + K[1] * tmp[m + c] + K[2] * tmp[d + c];
    }
  }
  return out;
}

/** High- and low-frequency parts after `levels` dilated blurs (high + low = input). */
export function waveletDecomposition(img: RgbImage, levels = LEVELS): { high: Float32Array; low: Float32Array } {
  const high = new Float32Array(img.data.length);
  let cur = img.data;
  for (let i = 0; i < levels; i++) {
    const low = waveletBlur(cur, img.width, img.height, 2 ** i);
    for (let j = 0; j < high.length; j++) high[j] += cur[j] - low[j];
    cur = low;
  }
  return { high, low: cur };
}

/** High frequencies of `target` + low frequencies of `reference` (same size), clamped to [0, 1]. */
export function waveletColorFix(target: RgbImage, reference: RgbImage): RgbImage {
  if (target.width !== reference.width || target.height !== reference.height) {
    throw new RangeError(`wavelet colour fix needs equal sizes, got ${target.width}x${target.height} and ${reference.width}x${reference.height}`);
  }
  const { high } = waveletDecomposition(target);
  const { low } = waveletDecomposition(reference);
  const out = new Float32Array(high.length);
  for (let i = 0; i < out.length; i++) {
    const v = high[i] + low[i];
    out[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return createImage(target.width, target.height, out, target.bitDepth);
}
