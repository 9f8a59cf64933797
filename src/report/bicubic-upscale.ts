/**
 * MATLAB-style bicubic upscaling by an integer factor (`imresize(img, s, 'bicubic')` for s ≥ 1): Keys cubic with
 * A = −0.5, pixel centres aligned (u = x/s + ½(1 − 1/s)), symmetric (half-sample) edge mirroring, weights
 * normalised, rows then columns, float64 accumulation. No antialiasing is needed when enlarging.
 *
 * This is the "bicubic ×4" baseline of the benchmarks and the "before" image of the HTML report.
 *
 * ```ts
 * const up = bicubicUpscale(lq, 4);         // 128×128 → 512×512, float (not quantised)
 * ```
 */
import { createImage, type RgbImage } from '../image.js';

function cubic(x: number): number {
  const a = Math.abs(x);
  const a2 = a * a;
  const a3 = a2 * a;
  if (a <= 1) return 1.5 * a3 - 2.5 * a2 + 1;
  if (a <= 2) return -0.5 * a3 + 2.5 * a2 - 4 * a + 2;
  return 0;
}

interface Taps {
  /** For every output position, `taps` source indices (0-based, already mirrored) … */
  readonly index: Int32Array;
  /** … and their normalised weights. */
  readonly weight: Float64Array;
  readonly taps: number;
}

/** MATLAB `contributions(in_length, out_length, scale, @cubic, 4, antialiasing=false)`. */
function contributions(inLength: number, outLength: number, scale: number): Taps {
  const taps = 6; // ceil(kernel width 4) + 2
  const index = new Int32Array(outLength * taps);
  const weight = new Float64Array(outLength * taps);
  for (let o = 0; o < outLength; o++) {
    const u = (o + 1) / scale + 0.5 * (1 - 1 / scale); // 1-based source coordinate
    const left = Math.floor(u - 2);
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const w = cubic(u - (left + k));
      weight[o * taps + k] = w;
      sum += w;
    }
    for (let k = 0; k < taps; k++) {
      weight[o * taps + k] /= sum;
      // symmetric padding: aux = [1..n, n..1], 1-based → 0-based
      let i = left + k - 1;
      const period = 2 * inLength;
      i = ((i % period) + period) % period;
      index[o * taps + k] = i < inLength ? i : period - 1 - i;
    }
  }
  return { index, weight, taps };
}

/** Enlarge `img` by the integer factor `scale` (≥ 1) with MATLAB's bicubic; the result is float, unclamped. */
export function bicubicUpscale(img: RgbImage, scale: number): RgbImage {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`bicubic scale must be an integer ≥ 1, got ${scale}`);
  const { width: w, height: h, data } = img;
  const W = w * scale;
  const H = h * scale;
  const rows = contributions(h, H, scale);
  const cols = contributions(w, W, scale);
  // rows first: (h, w) → (H, w)
  const mid = new Float64Array(H * w * 3);
  for (let y = 0; y < H; y++) {
    for (let k = 0; k < rows.taps; k++) {
      const wt = rows.weight[y * rows.taps + k];
      if (wt === 0) continue;
      const src = rows.index[y * rows.taps + k] * w * 3;
      const dst = y * w * 3;
      for (let i = 0; i < w * 3; i++) mid[dst + i] += wt * data[src + i];
    }
  }
  const out = new Float32Array(H * W * 3);
  const acc = new Float64Array(3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let k = 0; k < cols.taps; k++) {
        const wt = cols.weight[x * cols.taps + k];
        if (wt === 0) continue;
        const src = (y * w + cols.index[x * cols.taps + k]) * 3;
        acc[0] += wt * mid[src];
        acc[1] += wt * mid[src + 1];
        acc[2] += wt * mid[src + 2];
      }
      const dst = (y * W + x) * 3;
      out[dst] = acc[0];
      out[dst + 1] = acc[1];
      out[dst + 2] = acc[2];
    }
  }
  return createImage(W, H, out);
}

/** Clamp to [0, 1] and round to 8-bit steps: what writing the image as PNG and reading it back gives. */
export function quantize8(img: RgbImage): RgbImage {
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = Math.round(img.data[i] * 255);
    out[i] = (v < 0 ? 0 : v > 255 ? 255 : v) / 255;
  }
  return createImage(img.width, img.height, out, 8);
}
