/** Public API of tadsr. */
export * from './frame.js';
export * from './image.js';
export { decodeImage, type DecodeOptions } from './io/decode-image.js';
export { encodeImage, writeImageFile, writeFileAtomic, type EncodeOptions } from './io/encode-image.js';
export { listImages, resolveImagePaths } from './io/list-images.js';
export { mapFrames, mergeMapFrames } from './operators/frame-operator.js';
export { readImages, type ReadImagesOptions } from './operators/read-images.js';
export { writeImages, type WriteImagesOptions } from './operators/write-images.js';
export { degrade, type Degraded } from './operators/degrade.js';
export * as degradation from './degradation/index.js';
export {
  type DegradeDatasetOptions,
  type DegradeEvent,
  type DegradeFailure,
  DegradeUsageError,
  degradeDataset,
} from './graphs/degrade-dataset.js';
export type { NetOps, ParamLookup } from './models/net-ops.js';
export type { Backend, BackendInfo, HostTensor, SubNetwork } from './backends/backend.js';
