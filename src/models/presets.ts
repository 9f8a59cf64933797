/**
 * Named model specs: `tiny` (unit tests, milliseconds), `small` (the model we train and ship: sized by measurement
 * for a 2-core CPU) and `sd21-base` (exactly Stable Diffusion 2.1-base's UNet and VAE, plus the TADSR time-aware
 * encoder; diffusers checkpoints of SD 2.1-base load into it unchanged).
 */
import type { ModelSpec, TimeAwareSpec, UNetSpec, VaeSpec } from './specs.js';

/** The official TADSR time embedding (zty557/TADSR `TimeAwareEncoder`): sinusoid 128 → 256 → 256. */
export const officialTimeAware: TimeAwareSpec = {
  timeProjDim: 128,
  embedDim: 256,
  flipSinToCos: true,
  freqShift: 0,
  zeroInitTimeProj: true,
};

const sd21Unet: UNetSpec = {
  inChannels: 4,
  outChannels: 4,
  blockOutChannels: [320, 640, 1280, 1280],
  layersPerBlock: 2,
  downBlockTypes: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
  upBlockTypes: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'],
  // diffusers config says attention_head_dim: [5, 10, 20, 20] and uses it as the number of heads.
  attentionHeads: [5, 10, 20, 20],
  crossAttentionDim: 1024,
  useLinearProjection: true,
  normNumGroups: 32,
  normEps: 1e-5,
  flipSinToCos: true,
  freqShift: 0,
};

const sd21Vae: VaeSpec = {
  inChannels: 3,
  outChannels: 3,
  blockOutChannels: [128, 256, 512, 512],
  layersPerBlock: 2,
  latentChannels: 4,
  normNumGroups: 32,
  scalingFactor: 0.18215,
  midBlockAddAttention: true,
};

/** For unit tests: every code path (cross-attention, linear projection, 4-level ×8 VAE, TAE) at toy widths. */
const tiny: ModelSpec = {
  unet: {
    inChannels: 4,
    outChannels: 4,
    blockOutChannels: [32, 64],
    layersPerBlock: 1,
    downBlockTypes: ['CrossAttnDownBlock2D', 'DownBlock2D'],
    upBlockTypes: ['UpBlock2D', 'CrossAttnUpBlock2D'],
    attentionHeads: [2, 4],
    crossAttentionDim: 32,
    useLinearProjection: true,
    normNumGroups: 8,
    normEps: 1e-5,
    flipSinToCos: true,
    freqShift: 0,
  },
  vae: {
    inChannels: 3,
    outChannels: 3,
    blockOutChannels: [8, 16, 16, 16],
    layersPerBlock: 1,
    latentChannels: 4,
    normNumGroups: 4,
    scalingFactor: 0.18215,
    midBlockAddAttention: true,
  },
  tae: { timeProjDim: 32, embedDim: 32, flipSinToCos: true, freqShift: 0, zeroInitTimeProj: true },
};

/**
 * The shipped model: SD's structure (×8 VAE with mid attention, 4 latent channels, a UNet with attention on
 * its two deeper levels) at widths a 2-core CPU can train and run.
 *
 * No cross-attention: without a text encoder the condition is one fixed embedding, and attention to a constant
 * context adds a constant per layer — a bias the ResNets already have. The UNet therefore takes no text input.
 *
 * Sizing (student forward 128→512 on ORT CPU, 2 threads, machine loaded by ~6 other jobs, so compare rows, not
 * absolute numbers; `npx tsx bench/ort-small-sizing.ts`):
 *
 * | candidate (VAE widths / UNet widths)   | params | GFLOP/image | ms/image |
 * |----------------------------------------|--------|-------------|----------|
 * | [16,32,64,64] / [64,128,256]           | 16.6 M |   67.5      |  3 817   |
 * | [32,64,128,128] / [64,128,256] (this)  | 19.6 M |  196.8      | 10 409   |
 * | [32,64,128,128] / [128,256,256]        | 29.0 M |  223.4      |  8 033   |
 * | [64,128,256,256] / [128,256,256]       | 40.8 M |  721.5      | 15 021   |
 *
 * FLOPs are dominated by the VAE at full resolution (decoder 133 of 197 GFLOP), so the VAE width sets the cost;
 * the UNet (17.6 GFLOP at a 64² latent) is cheap. 32 channels at full resolution is the narrowest that keeps
 * SD's per-level structure with GroupNorm groups of 2 channels; training at 256² patches costs a quarter of the
 * table. The final call on the training side is the TF.js backend's measured step time.
 */
const small: ModelSpec = {
  unet: {
    inChannels: 4,
    outChannels: 4,
    blockOutChannels: [64, 128, 256],
    layersPerBlock: 1,
    downBlockTypes: ['DownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D'],
    upBlockTypes: ['CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'UpBlock2D'],
    attentionHeads: [1, 2, 4],
    crossAttentionDim: null,
    useLinearProjection: true,
    normNumGroups: 32,
    normEps: 1e-5,
    flipSinToCos: true,
    freqShift: 0,
  },
  vae: {
    inChannels: 3,
    outChannels: 3,
    blockOutChannels: [32, 64, 128, 128],
    layersPerBlock: 1,
    latentChannels: 4,
    normNumGroups: 16,
    scalingFactor: 0.18215,
    midBlockAddAttention: true,
  },
  tae: { ...officialTimeAware, embedDim: 128 },
};

const sd21Base: ModelSpec = { unet: sd21Unet, vae: sd21Vae, tae: officialTimeAware };

/**
 * TAEF2 (madebyollin/taesd, MIT): the TAESD-family tiny autoencoder distilled from the FLUX.2 VAE — width 64,
 * ×8, 32 latent channels, mid-block GroupNorm(4). Weights: `models/taef2/vae.safetensors`
 * (`tools/convert_taesd.py convert`). Near-lossless (DRealSR HR round trip ≈ 40 dB PSNR-Y).
 *
 * `scalingFactor` = 1 / std of its latents, measured as SD's 0.18215 was: std 0.834 (mean 0.043) over 120 random
 * 128² crops of ../shared/data/train (`tools/convert_taesd.py` reference encoder), 1 / 0.834 = 1.199.
 */
export const taef2Vae: VaeSpec = {
  arch: 'taesd',
  midBlockGn: true,
  inChannels: 3,
  outChannels: 3,
  blockOutChannels: [64, 64, 64, 64],
  layersPerBlock: 1,
  latentChannels: 32,
  normNumGroups: 4,
  scalingFactor: 1.2,
  midBlockAddAttention: false,
};

/**
 * The `small` UNet on TAEF2's 32-channel latent space, with TADSR's time layers in TAEF2's encoder: the model family
 * of issue 9 (a pretrained near-lossless autoencoder instead of a from-scratch VAE).
 */
const smallTaef2: ModelSpec = {
  unet: { ...small.unet, inChannels: 32, outChannels: 32 },
  vae: taef2Vae,
  tae: { ...officialTimeAware, embedDim: 128 },
};

/** The preset names. */
export type PresetName = 'tiny' | 'small' | 'small-taef2' | 'sd21-base';

/** Named model specs. @example const spec = presets['sd21-base']; */
export const presets: Readonly<Record<PresetName, ModelSpec>> = {
  tiny,
  small,
  'small-taef2': smallTaef2,
  'sd21-base': sd21Base,
};

/** A preset name that does not exist (a usage error: the CLI exits 2). */
export class UnknownPresetError extends Error {
  override name = 'UnknownPresetError';
}

/** The preset called `name`, or an {@link UnknownPresetError} naming the valid ones. */
export function presetByName(name: string): ModelSpec {
  const spec = (presets as Record<string, ModelSpec | undefined>)[name];
  if (spec === undefined) {
    throw new UnknownPresetError(`unknown preset "${name}" (known: ${Object.keys(presets).join(', ')})`);
  }
  return spec;
}
