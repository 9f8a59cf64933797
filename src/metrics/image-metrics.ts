/**
 * One image's scores in the evaluation convention of `tadsr eval` — PSNR and SSIM on the Y channel in pyiqa's
 * convention (as OSEDiff / TADSR report them), NIQE in BasicSR's — and the function that computes them.
 * Reused by the `measure()` operator, `evaluate()` and the model-evaluation graphs.
 *
 * ```ts
 * const m = measureImage(sr, hr);                         // { psnr, ssim, niqe }
 * const n = measureImage(sr, undefined, { metrics: ['niqe'] });
 * ```
 */
import type { RgbImage } from '../image.js';
import type { FullReferenceOptions } from './convention.js';
import { type NiqeOptions, niqe } from './niqe.js';
import { psnr } from './psnr.js';
import { ssim } from './ssim.js';

export const METRIC_NAMES = ['psnr', 'ssim', 'niqe'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface ImageMetrics {
  readonly psnr?: number;
  readonly ssim?: number;
  readonly niqe?: number;
}

export interface MeasureOptions {
  /** Which metrics (default all three). PSNR and SSIM need a reference image. */
  readonly metrics?: readonly MetricName[];
  /** PSNR convention (default pyiqa, Y channel, no crop). */
  readonly psnr?: FullReferenceOptions;
  /** SSIM convention (default pyiqa, Y channel, no crop). */
  readonly ssim?: FullReferenceOptions;
  /** NIQE options (BasicSR convention; default no crop). */
  readonly niqe?: NiqeOptions;
}

/** Parse a comma list such as `"psnr,niqe"`; throws a usage error naming an unknown metric. */
export function parseMetricNames(list: string): MetricName[] {
  const names = list.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0);
  for (const n of names) {
    if (!(METRIC_NAMES as readonly string[]).includes(n)) {
      throw new Error(`unknown metric "${n}" (known: ${METRIC_NAMES.join(', ')})`);
    }
  }
  if (names.length === 0) throw new Error('no metric named');
  return [...new Set(names)] as MetricName[];
}

/** True when the chosen metrics need a reference (HR) image. */
export function needsReference(metrics: readonly MetricName[]): boolean {
  return metrics.includes('psnr') || metrics.includes('ssim');
}

/** Scores of `sr` (against `hr` for PSNR / SSIM). Throws RangeError for mismatched or too-small images. */
export function measureImage(sr: RgbImage, hr: RgbImage | undefined, opts: MeasureOptions = {}): ImageMetrics {
  const metrics = opts.metrics ?? METRIC_NAMES;
  const out: { psnr?: number; ssim?: number; niqe?: number } = {};
  if (needsReference(metrics) && !hr) throw new Error('psnr/ssim need a reference (hr) image');
  if (metrics.includes('psnr')) out.psnr = psnr(sr, hr as RgbImage, opts.psnr);
  if (metrics.includes('ssim')) out.ssim = ssim(sr, hr as RgbImage, opts.ssim);
  if (metrics.includes('niqe')) out.niqe = niqe(sr, opts.niqe);
  return out;
}
