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
