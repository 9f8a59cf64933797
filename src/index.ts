/** Public API of tadsr. */
export * from './frame.js';
export * from './image.js';
export { decodeImage, type DecodeOptions } from './io/decode-image.js';
export { readImageFile } from './io/read-image-file.js';
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
export { evaluateModel, DEFAULT_TS_SWEEP, type EvaluateModelOptions, type EvaluateModelResult, type UpscaleFn } from './graphs/eval-model.js';
export { writeReport, renderReportHtml, psnrNiqeSvg, type ReportData, type ScoreRow, type Comparison, type ImageScores } from './report/index.js';
export { lpipsVgg, loadLpipsWeights, lpipsSpecFromShapes, lpipsParamNames, type LpipsSpec } from './models/lpips.js';
export type { NetOps, ParamLookup } from './models/net-ops.js';
export type { Backend, BackendInfo, HostTensor, SubNetwork } from './backends/backend.js';
export * from './models/specs.js';
export { presets, presetByName, type PresetName } from './models/presets.js';
export { validateModelSpec, ModelSpecError } from './models/schema.js';
export { unetForward, type UNetInputs } from './models/unet.js';
export { vaeEncode, vaeDecode, posteriorMean, posteriorLogVar } from './models/vae.js';
export { countParams, initParams, paramShapes, unetParamShapes, vaeParamShapes, type ModelWeights, type WeightMap } from './models/params.js';
export { SafetensorsFile, readSafetensors, writeSafetensors, loadCheckpoint, CheckpointMismatchError } from './models/safetensors.js';
export { loraModules, loraParamShapes, loraLookup, mergeLora, officialLoraSpec } from './models/lora.js';
export { flopsOf, type FlopCount } from './models/flops.js';
export { createOnnxBackend, type OnnxBackend, type OnnxBackendOptions } from './backends/onnx/index.js';
export { DeviceError, planDevice, vulkanAdapters, type Device, type OnnxBackendInfo } from './backends/onnx/index.js';
export { backendFactory, backendNames, registerBackendFactory, type BackendFactory } from './backends/registry.js';
export { benchmarkBackends, formatBenchTable, type BenchOptions, type BenchResult, type BenchRow } from './graphs/bench.js';
export * from './schedule/index.js';
export { blurredMse, blurParamsForTs, gaussianKernel1d, gaussianBlurNCHW, tavsdLoss, vsdGradient, diffusionLoss } from './losses/index.js';
export { adainColorFix, waveletColorFix, applyColorFix, parseColorFix, COLOR_FIX_MODES, type ColorFixMode } from './color/index.js';
export { planTiles, gaussianTileWeights, BlendAccumulator, type TileOptions, type TileRect, type TilePlan } from './tiling/index.js';
export { tiled, tileImage, tileImageRows, runFrame, collectRows, type TileFunction } from './operators/tiled.js';
export { tiledShared, type TileCompute, type TileGraph, type SharedTileOptions } from './operators/tiled-shared.js';
export { bicubicUpsample } from './resize/bicubic-upsample.js';
export { encode, encoderInput, posteriorNoise, type EncodeOptions as EncodeLatentOperatorOptions } from './operators/encode.js';
export { denoise, type DenoiseOptions } from './operators/denoise.js';
export { decode } from './operators/decode.js';
export { colorFix, type ColorFixOptions, type ColorStatsSource } from './operators/color-fix.js';
export { noiseAt, type NoiseAtOptions } from './operators/noise-at.js';
export { score, scoresAt, teacherScore, type Guidance, type ScoreOptions } from './operators/score.js';
export { fakeScore, updateFakeScore, type FakeScoreTrainer, type FakeScoreUpdate, type WithFakeT, type WithFakeUpdate } from './operators/fake-score.js';
export { loss, type LossOptions, type LossTerms, type LossWeights } from './operators/loss.js';
export { tile, cutTile, cropToTile, type TileInfo, type Tiled, type LqCrop, type TileFrameOptions } from './operators/tile.js';
export { untile, type UntileOptions } from './operators/untile.js';
export { oneStep, fusedStudent, type OneStepOptions, type FusedStudent } from './operators/one-step.js';
export { upscaleGraph, BICUBIC_MARGIN, type UpscaleGraphOptions, type UpscaleFrame } from './graphs/upscale-graph.js';
export { type ModelFacts, emptyContext, encodeLatent, unetEps, decodeLatent } from './operators/net-calls.js';
export type { WithLatent, WithLqUp, WithNoised, WithScores, WithSr, WithZHat } from './operators/tadsr-fields.js';
export type { WithContext } from './operators/tadsr-fields.js';
export { encodePrompt, type EncodePromptOptions } from './operators/encode-prompt.js';
export { ClipTokenizer, TokenizerError, type ClipTokenizerOptions } from './text/clip-tokenizer.js';
export { PromptEncoder } from './text/prompt-encoder.js';
export { officialPrompt, readTagsFile, tagsKey, TagsFileError } from './text/prompt.js';
export { SD21_TEXT_ENCODER, textEncoderForward, textEncoderParamShapes } from './models/clip-text.js';
export { readModelDir, writeModelDir, initModelDir, modelFacts, ModelDirError, type ModelManifest, type LoadedModel } from './graphs/model-dir.js';
export { Upscaler, type UpscaleImageOptions } from './graphs/upscaler.js';
export { upscale, defaultModelDir, UsageError, type UpscaleOptions, type UpscaleEvent } from './graphs/infer.js';
export { train, runTraining, TrainError, type TrainEvent, type TrainOptions, type StepRecord } from './graphs/train.js';
export { parseTrainConfig, loadTrainConfig, ConfigError, type TrainConfig } from './graphs/train-config.js';
export { runPretraining, type PretrainEvent } from './graphs/pretrain.js';
export { parsePretrainConfig, loadPretrainConfig, type PretrainConfig } from './graphs/pretrain-config.js';
// Real-world GAN peers (Real-ESRGAN nets converted from ncnn) run as tadsr models on the ONNX backend.
export { loadUpscaler, type ImageUpscaler } from './peers/load-upscaler.js';
export { PeerUpscaler } from './peers/peer-upscaler.js';
export { KNOWN_PEERS, convertNcnnPeer, convertKnownPeer, resolvePeerModel, peersRoot, type PeerManifest, type KnownPeerName } from './peers/peer-dir.js';
export { parseNcnn, NcnnFormatError, type NcnnNet, type NcnnLayer } from './peers/ncnn.js';
export { ncnnToOnnx } from './peers/ncnn-onnx.js';
export { measurePeerRows } from './peers/peer-rows.js';
// Safe outputs, budgets and guards (issue 11): what the CLI checks before any work, for library callers too.
export { OutputError, probeWritable } from './io/safe-output.js';
export { RunLockError, acquireRunLock } from './io/run-lock.js';
export { BudgetError, planUpscale, checkTileMemory, defaultMaxPixels, estimateUpscaleSeconds } from './graphs/upscale-plan.js';
export { TrainDivergedError } from './graphs/training/guards.js';
export { CheckpointReadError } from './graphs/training/run-files.js';
export { SafetensorsFormatError } from './models/safetensors.js';
