/**
 * The few facts about a model that the network calls need (latent scaling, size multiples, whether a time-aware
 * encoder and cross-attention exist), read off its spec. They are facts of the model, so they live with the model
 * layer; the operators and graphs that use them import them from here.
 *
 * ```ts
 * const facts = modelFacts(presets.tiny);
 * facts.pixelMultiple;   // pixel sizes must be multiples of this
 * ```
 */
import type { ModelSpec, NoiseScheduleSpec } from './specs.js';

/** What the calls need to know about the model (from its spec). */
export interface ModelFacts {
  /** VAE latent scaling factor (SD: 0.18215). */
  readonly scalingFactor: number;
  /** Pixel sizes must be multiples of this (VAE ×8 × UNet 2^(levels−1)). */
  readonly pixelMultiple: number;
  /** Whether a time-aware encoder exists (else the plain VAE encoder is used). */
  readonly hasTae: boolean;
  /** Cross-attention width of the UNet, `null` when it takes no text. */
  readonly crossAttentionDim: number | null;
  /** Latent channels (SD: 4) and the VAE's downsampling factor (SD: 8). */
  readonly latentChannels: number;
  readonly vaeDownsample: number;
  /** The model's noise schedule (`spec.schedule`); absent: SD's. */
  readonly schedule?: NoiseScheduleSpec;
}

/** Facts the operators need, from a spec. */
export function modelFacts(spec: ModelSpec): ModelFacts {
  const vaeDown = 2 ** (spec.vae.blockOutChannels.length - 1);
  const unetDown = 2 ** (spec.unet.blockOutChannels.length - 1);
  return {
    scalingFactor: spec.vae.scalingFactor,
    pixelMultiple: vaeDown * unetDown,
    hasTae: spec.tae !== undefined,
    crossAttentionDim: spec.unet.crossAttentionDim,
    latentChannels: spec.vae.latentChannels,
    vaeDownsample: vaeDown,
    ...(spec.schedule ? { schedule: spec.schedule } : {}),
  };
}
