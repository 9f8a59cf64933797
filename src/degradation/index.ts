/** Real-ESRGAN second-order degradation (reference §2–§6): the public surface of `src/degradation/`. */
export {
  type DegradationConfig,
  type KernelType,
  DegradationConfigError,
  KERNEL_TYPES,
  defaultDegradationConfig,
  degradationConfigSchema,
  loadDegradationConfig,
  parseDegradationConfig,
} from './config.js';
export {
  type DegradationRecord,
  type DegradeResult,
  type JpegRecord,
  type NoiseRecord,
  type ResizeRecord,
  degradeImage,
  degradePlanes,
} from './pipeline.js';
export { type KernelRecord, sampleBlurKernel, sampleFinalKernel } from './sample-kernels.js';
export {
  type Kernel2D,
  bivariateGaussian,
  bivariateGeneralizedGaussian,
  bivariatePlateau,
  circularLowpassKernel,
  gaussianKernel1D,
  padKernel,
  pulseKernel,
} from './kernels.js';
export { besselJ1 } from './bessel.js';
export { type FilterKernel, filter2D } from './filter2d.js';
export { type ResizeMode, resizePlanes } from './resize.js';
export { addGaussianNoise, addPoissonNoise } from './noise.js';
export { jpegRoundTrip, jpegQualityInt } from './jpeg.js';
export { usmSharpen } from './usm.js';
export { type Planes, fromPlanes, toPlanes } from './planes.js';
export { Rng } from '../random/rng.js';
