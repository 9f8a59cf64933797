/** SR quality metrics: PSNR / SSIM (pyiqa and BasicSR conventions), NIQE (BasicSR), MATLAB bicubic resize. */
export type { FullReferenceOptions, MetricConvention } from './convention.js';
export { psnr } from './psnr.js';
export { ssim } from './ssim.js';
export { niqe, niqeFeatures, niqeFromFeatures, type NiqeFeatures, type NiqeOptions } from './niqe.js';
export { loadNiqeParams, NIQE_PARAMS_PATH, type NiqeParams } from './niqe-params.js';
export { imresize, imresizePlane, bicubicUpscale, type ImresizeOptions } from './matlab-imresize.js';
export { yBasicsr, yPyiqa } from './color.js';
export { artefactStats, borderRatio, chromaRatio, overshoot, type ArtefactStats, type BorderRatios } from './artefacts.js';
export type { Plane } from './plane.js';
export {
  measureImage, parseMetricNames, needsReference, METRIC_NAMES,
  type ImageMetrics, type MeasureOptions, type MetricName,
} from './image-metrics.js';
