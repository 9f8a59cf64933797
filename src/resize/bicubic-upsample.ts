/**
 * Bicubic resize of an interleaved RGB image by an integer factor — the ×4 upsampling of the LQ input before the
 * encoder (TADSR / OSEDiff use PIL's `Image.BICUBIC`, a = −0.5; PyTorch's `interpolate(mode='bicubic')` uses
 * a = −0.75). Half-pixel centres, border pixels replicated. No anti-aliasing (upsampling only).
 *
 * ```ts
 * const up = bicubicUpsample(lq, 4);           // PIL convention
 * const upTorch = bicubicUpsample(lq, 4, -0.75);
 * ```
 */
import { type RgbImage, createImage } from '../image.js';

const TAPS = 5;

function cubic(x: number, a: number): number {
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  return 0;
}

/**
 * Taps for each output coordinate along one axis, PIL's `precompute_coeffs` for upsampling (support 2):
 * the window is cut at the border and its weights renormalised. Up to 5 taps; unused taps have weight 0.
 */
function taps(outSize: number, inSize: number, scale: number, a: number): { idx: Int32Array; w: Float32Array } {
  const idx = new Int32Array(outSize * TAPS);
  const w = new Float32Array(outSize * TAPS);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) / scale;
    const xmin = Math.max(Math.trunc(center - 2 + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + 2 + 0.5), inSize);
    let sum = 0;
    for (let k = 0; k < TAPS; k++) {
      const i = xmin + k;
      const wk = i < xmax ? cubic(i - center + 0.5, a) : 0;
      idx[o * TAPS + k] = Math.min(i, inSize - 1);
      w[o * TAPS + k] = wk;
      sum += wk;
    }
    for (let k = 0; k < TAPS; k++) w[o * TAPS + k] /= sum;
  }
  return { idx, w };
}

/** Upsample `img` by the integer `scale` with cubic coefficient `a` (default −0.5, PIL). */
export function bicubicUpsample(img: RgbImage, scale: number, a = -0.5): RgbImage {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`scale must be a positive integer, got ${scale}`);
  const { width: W, height: H, data } = img;
  const OW = W * scale;
  const OH = H * scale;
  const tx = taps(OW, W, scale, a);
  const ty = taps(OH, H, scale, a);
  // Horizontal pass: H × OW.
  const mid = new Float32Array(H * OW * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < OW; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < TAPS; k++) {
        const s = (y * W + tx.idx[x * TAPS + k]) * 3;
        const wk = tx.w[x * TAPS + k];
        r += wk * data[s];
        g += wk * data[s + 1];
        b += wk * data[s + 2];
      }
      const d = (y * OW + x) * 3;
      mid[d] = r;
      mid[d + 1] = g;
      mid[d + 2] = b;
    }
  }
  const out = new Float32Array(OH * OW * 3);
  for (let y = 0; y < OH; y++) {
    for (let k = 0; k < TAPS; k++) {
      const srow = ty.idx[y * TAPS + k] * OW * 3;
      const wk = ty.w[y * TAPS + k];
      const drow = y * OW * 3;
      for (let i = 0; i < OW * 3; i++) out[drow + i] += wk * mid[srow + i];
    }
  }
  return createImage(OW, OH, out, img.bitDepth);
}
