/**
 * Quality of an SR image against its HR pair, as ANCHORS.md measures it: PSNR and SSIM on Y (pyiqa conventions,
 * BT.601 "ycbcr" Y, no border crop) and NIQE (BasicSR conventions). Computed by the library's `src/metrics`.
 */
import type { RgbImage } from '../src/image.js';

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

/** The metric functions of `src/metrics` (loaded lazily so that the benchmark still times peers without them). */
export async function loadQuality(): Promise<QualityLoad> {
  const modulePath = '../src/metrics/index.js';
  let m: Record<string, unknown>;
  try {
    m = (await import(modulePath)) as Record<string, unknown>;
  } catch (err) {
    return { fn: null, reason: `src/metrics not available: ${(err as Error).message.split('\n')[0]}` };
  }
  return { fn: null, reason: `src/metrics exports ${Object.keys(m).join(', ')}; adapter not wired yet` };
}
