/**
 * AdaIN colour fix (TADSR / OSEDiff default): give the super-resolved image the per-channel mean and standard
 * deviation of the reference (the LQ image upsampled to the output size), then clamp to [0, 1].
 *
 * Statistics as in OSEDiff's `calc_mean_std`: unbiased variance + 1e-5 under the square root.
 *
 * ```ts
 * const fixed = adainColorFix(sr, bicubicUp(lq, 4));
 * ```
 */
import { type RgbImage, createImage } from '../image.js';
import { type OwnedRect, cellWeights } from '../tiling/ownership.js';

/** Added to the variance under the square root (OSEDiff's `calc_mean_std`). */
export const ADAIN_EPS = 1e-5;
const EPS = ADAIN_EPS;

export interface ChannelStats {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/** Per-channel mean and std (unbiased variance + 1e-5) of an interleaved RGB image. */
export function channelStats(img: RgbImage): ChannelStats {
  const n = img.width * img.height;
  const mean = new Float64Array(3);
  const sq = new Float64Array(3);
  const d = img.data;
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) mean[c] += d[i * 3 + c];
  for (let c = 0; c < 3; c++) mean[c] /= n;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = d[i * 3 + c] - mean[c];
      sq[c] += v * v;
    }
  }
  const std = Float64Array.from(sq, (s) => Math.sqrt(s / Math.max(1, n - 1) + EPS));
  return { mean, std };
}

/** Per-channel weighted sums of (part of) an image, to be added up over the tiles of one image. */
export interface ChannelSums {
  readonly sum: Float64Array;
  readonly sumSq: Float64Array;
  readonly weight: number;
}

/**
 * The channel sums of the part of `img` that `owned` covers (fractions of its extent; pixels partly inside count
 * by the fraction inside, see `cellWeights`), so the sums of tiles that partition an image are the whole image's.
 */
export function ownedChannelSums(img: RgbImage, owned: OwnedRect): ChannelSums {
  const sum = new Float64Array(3);
  const sumSq = new Float64Array(3);
  let weight = 0;
  const wx = cellWeights(img.width, owned.x0, owned.x1);
  const wy = cellWeights(img.height, owned.y0, owned.y1);
  for (let y = 0; y < img.height; y++) {
    if (wy[y] === 0) continue;
    for (let x = 0; x < img.width; x++) {
      const w = wy[y]! * wx[x]!;
      if (w === 0) continue;
      weight += w;
      for (let c = 0; c < 3; c++) {
        const v = img.data[(y * img.width + x) * 3 + c]!;
        sum[c] += w * v;
        sumSq[c] += w * v * v;
      }
    }
  }
  return { sum, sumSq, weight };
}

/** Channel statistics (as {@link channelStats}: unbiased variance + 1e-5) of the union of parts' sums. */
export function statsOfSums(parts: readonly ChannelSums[]): ChannelStats {
  const s = new Float64Array(3);
  const q = new Float64Array(3);
  let n = 0;
  for (const p of parts) {
    n += p.weight;
    for (let c = 0; c < 3; c++) {
      s[c] += p.sum[c]!;
      q[c] += p.sumSq[c]!;
    }
  }
  const mean = Float64Array.from(s, (v) => v / n);
  const std = Float64Array.from(q, (v, c) => Math.sqrt(Math.max(0, v - n * mean[c]! * mean[c]!) / Math.max(1, n - 1) + EPS));
  return { mean, std };
}

/** Transfer `reference`'s channel statistics onto `target` (same size not required), clamped to [0, 1]. */
export function adainColorFix(target: RgbImage, reference: RgbImage): RgbImage {
  return adainWithStats(target, channelStats(target), channelStats(reference));
}

/**
 * AdaIN with given statistics: `target`'s own (`t`) mapped to the reference's (`r`), clamped to [0, 1] (for tiles
 * of one image sharing the whole image's statistics).
 */
export function adainWithStats(target: RgbImage, t: ChannelStats, r: ChannelStats): RgbImage {
  const out = new Float32Array(target.data.length);
  const d = target.data;
  for (let i = 0; i < out.length; i += 3) {
    for (let c = 0; c < 3; c++) {
      const v = ((d[i + c] - t.mean[c]) / t.std[c]) * r.std[c] + r.mean[c];
      out[i + c] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  return createImage(target.width, target.height, out, target.bitDepth);
}
