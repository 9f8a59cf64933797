/**
 * `measure(opts)` — add `metrics: { psnr?, ssim?, niqe? }` to each frame: PSNR / SSIM of `sr` against `hq`
 * (pyiqa convention, Y channel, by default) and NIQE of `sr` (BasicSR convention). Which metrics and their
 * conventions are options; with `metrics: ['niqe']` only `sr` is needed.
 *
 * A frame whose images cannot be measured (sizes differ, smaller than NIQE's 96×96) becomes a
 * {@link FrameError} naming the problem; the others keep flowing.
 *
 * ```ts
 * pairs$.pipe(measure())                                    // frames with sr + hq
 * sr$.pipe(measure({ metrics: ['niqe'] }))                  // no reference needed
 * pairs$.pipe(measure({ psnr: { convention: 'basicsr', cropBorder: 4 } }))
 * ```
 */
import type { OperatorFunction } from 'rxjs';
import { DataError, type Has, type Item } from '../frame.js';
import { type ImageMetrics, type MeasureOptions, measureImage } from '../metrics/image-metrics.js';
import { mapFrames } from './frame-operator.js';

export interface WithMetrics {
  readonly metrics: ImageMetrics;
}

export function measure<In extends Has<'sr'>>(
  opts: MeasureOptions & { readonly metrics: readonly ['niqe'] },
): OperatorFunction<Item<In>, Item<In & WithMetrics>>;
export function measure<In extends Has<'sr' | 'hq'>>(opts?: MeasureOptions): OperatorFunction<Item<In>, Item<In & WithMetrics>>;
export function measure<In extends Has<'sr'> & { readonly hq?: Has<'hq'>['hq'] }>(
  opts: MeasureOptions = {},
): OperatorFunction<Item<In>, Item<In & WithMetrics>> {
  return mapFrames('measure', (frame: In) => {
    try {
      return { ...frame, metrics: measureImage(frame.sr, frame.hq, opts) };
    } catch (err) {
      if (err instanceof RangeError) throw new DataError(err.message);
      throw err;
    }
  });
}
