/**
 * The unit of work of {@link MeasurePool}: score one image (optionally after the bicubic baseline upscale) —
 * plain data so that it crosses a worker-thread boundary.
 */
import { type RgbImage, createImage } from '../image.js';
import { type ImageMetrics, type MeasureOptions, measureImage } from './image-metrics.js';
import { bicubicUpscale } from './matlab-imresize.js';

export interface ImageData {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
  readonly bitDepth?: 8 | 16;
}

export interface MeasureTask {
  readonly sr: ImageData;
  readonly hr?: ImageData;
  /** When set, `sr` is an LQ image to upscale by this factor with MATLAB bicubic (the baseline) first. */
  readonly bicubicScale?: number;
  readonly opts: MeasureOptions;
}

/** `metrics`, or `dataError` for an image that cannot be measured (size mismatch, too small). */
export type MeasureTaskResult = { readonly metrics: ImageMetrics } | { readonly dataError: string };

const toImage = (d: ImageData): RgbImage => createImage(d.width, d.height, d.data, d.bitDepth);

export function runMeasureTask(task: MeasureTask): MeasureTaskResult {
  let sr = toImage(task.sr);
  const hr = task.hr ? toImage(task.hr) : undefined;
  if (task.bicubicScale !== undefined) sr = bicubicUpscale(sr, task.bicubicScale);
  if (hr && (sr.width !== hr.width || sr.height !== hr.height)) {
    const what = task.bicubicScale !== undefined ? `bicubic x${task.bicubicScale} of the LQ image` : 'SR image';
    return { dataError: `${what} is ${sr.width}x${sr.height} but the HR image is ${hr.width}x${hr.height}` };
  }
  try {
    return { metrics: measureImage(sr, hr, task.opts) };
  } catch (err) {
    if (err instanceof RangeError) return { dataError: err.message };
    throw err;
  }
}
