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
export * as metrics from './metrics/index.js';
export { psnr, ssim, niqe, bicubicUpscale, imresize, measureImage, type ImageMetrics, type MetricName } from './metrics/index.js';
export { measure, type WithMetrics } from './operators/measure.js';
export {
  evaluate, type EvaluateOptions, type EvaluateEvent, type EvaluateSummary, type ImageResult,
} from './graphs/evaluate.js';
export { pairByName, type FilePair } from './graphs/evaluate-pairing.js';
export type { NetOps, ParamLookup } from './models/net-ops.js';
export type { Backend, BackendInfo, HostTensor, SubNetwork } from './backends/backend.js';
export * from './models/specs.js';
export { presets, presetByName, type PresetName } from './models/presets.js';
export { validateModelSpec, ModelSpecError } from './models/schema.js';
export { unetForward, type UNetInputs } from './models/unet.js';
export { vaeEncode, vaeDecode, posteriorMean, posteriorLogVar } from './models/vae.js';
export { countParams, initParams, paramShapes, unetParamShapes, vaeParamShapes, type ModelWeights, type WeightMap } from './models/params.js';
export { SafetensorsFile, readSafetensors, writeSafetensors, loadCheckpoint, CheckpointMismatchError } from './models/safetensors.js';
export { loraModules, loraParamShapes, loraLookup, mergeLora } from './models/lora.js';
export { flopsOf, type FlopCount } from './models/flops.js';
export { createOnnxBackend, type OnnxBackend, type OnnxBackendOptions } from './backends/onnx/index.js';
export { backendFactory, backendNames, registerBackendFactory, type BackendFactory } from './backends/registry.js';
export { benchmarkBackends, formatBenchTable, type BenchOptions, type BenchResult, type BenchRow } from './graphs/bench.js';
