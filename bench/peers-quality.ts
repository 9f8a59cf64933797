/**
 * Quality of an SR image against its HR pair, as ANCHORS.md measures it: PSNR and SSIM on Y (pyiqa conventions,
 * BT.601 "ycbcr" Y, no border crop) and NIQE (BasicSR conventions, shipped pristine parameters), from
 * `src/metrics`.
 */
import type { RgbImage } from '../src/image.js';
import { loadNiqeParams, niqe, psnr, ssim } from '../src/metrics/index.js';

export interface Quality {
  psnr: number;
  ssim: number;
  niqe: number;
}

export interface QualityLoad {
  readonly fn: ((sr: RgbImage, hr: RgbImage) => Quality) | null;
  readonly description?: string;
  readonly reason?: string;
}

/** The metric function used by the peer benchmarks (kept behind a loader so a run can say what measured). */
export async function loadQuality(): Promise<QualityLoad> {
  const params = loadNiqeParams();
  return {
    fn: (sr, hr) => ({ psnr: psnr(sr, hr), ssim: ssim(sr, hr), niqe: niqe(sr, { params }) }),
    description: 'src/metrics: psnr/ssim (pyiqa, Y ycbcr, crop 0), niqe (BasicSR, crop 0)',
  };
}
