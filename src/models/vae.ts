/**
 * diffusers `AutoencoderKL` encode/decode and TADSR's time-aware encoder, written once over `NetOps<T>`.
 *
 * Conventions (as diffusers): `vaeEncode` returns the posterior moments `[B, 2·latent, h/8, w/8]`
 * (mean ‖ logvar, after `quant_conv`); the UNet works on `z · scalingFactor`; `vaeDecode` takes `z` already
 * divided by the scaling factor (`vae.decode(latents / scaling_factor)`) and applies `post_quant_conv`.
 * Pixels are in [−1, 1]. A spec with `arch: 'taesd'` runs the TAESD-family autoencoder instead (`taesd.ts`), with
 * the same contract (its deterministic moments are `z ‖ −30`).
 */
import { conv, groupNormSilu, resnetBlock, taeTimeEmbedding, vaeAttentionBlock, type LoraLookup, type Net } from './layers.js';
import type { NetOps, ParamLookup } from './net-ops.js';
import { taesdDecode, taesdEncode } from './taesd.js';
import type { TimeAwareSpec, VaeSpec } from './specs.js';

const VAE_EPS = 1e-6;

export interface VaeEncodeOptions<T> {
  /** t_s `[B]` (float); required with `tae`. */
  readonly timestep?: T;
  /** Run the time-aware encoder (its parameters are `encoder.time_embedding.*` and `…time_emb_proj.*`). */
  readonly tae?: TimeAwareSpec;
  readonly lora?: LoraLookup<T>;
}

function midBlock<T>(n: Net<T>, prefix: string, h: T, spec: VaeSpec, tembAct: T | null): T {
  const c = spec.blockOutChannels[spec.blockOutChannels.length - 1]!;
  const o = {
    inChannels: c,
    outChannels: c,
    groups: spec.normNumGroups,
    eps: VAE_EPS,
    timeMode: tembAct === null ? ('none' as const) : ('scale_shift' as const),
  };
  h = resnetBlock(n, `${prefix}.resnets.0`, h, tembAct, o);
  if (spec.midBlockAddAttention) h = vaeAttentionBlock(n, `${prefix}.attentions.0`, h, spec.normNumGroups, VAE_EPS);
  return resnetBlock(n, `${prefix}.resnets.1`, h, tembAct, o);
}

/**
 * Encoder + `quant_conv`: posterior moments `[B, 2·latentChannels, h/2^(L-1), w/2^(L-1)]`. With `opts.tae`, the
 * TADSR time-aware encoder conditioned on `opts.timestep`.
 *
 * @example
 * const moments = vaeEncode(ops, spec.vae, p, x, { tae: spec.tae, timestep: ts });
 * const z = ops.scale(posteriorMean(ops, moments), spec.vae.scalingFactor);
 */
export function vaeEncode<T>(ops: NetOps<T>, spec: VaeSpec, p: ParamLookup<T>, x: T, opts: VaeEncodeOptions<T> = {}): T {
  if (spec.arch === 'taesd') return taesdEncode(ops, spec, p, x, opts);
  const n: Net<T> = { ops, p, lora: opts.lora };
  const tembAct = taeTimeEmbedding(n, opts.tae, opts.timestep, 'vaeEncode');
  const widths = spec.blockOutChannels;
  const levels = widths.length;
  let h = conv(n, 'encoder.conv_in', x, { padding: 1 });
  let c = widths[0]!;
  for (let i = 0; i < levels; i++) {
    const out = widths[i]!;
    for (let j = 0; j < spec.layersPerBlock; j++) {
      h = resnetBlock(n, `encoder.down_blocks.${i}.resnets.${j}`, h, tembAct, {
        inChannels: c,
        outChannels: out,
        groups: spec.normNumGroups,
        eps: VAE_EPS,
        timeMode: tembAct === null ? 'none' : 'scale_shift',
      });
      c = out;
    }
    if (i < levels - 1) {
      // diffusers Downsample2D(padding=0): pad right and bottom by one, then a stride-2 conv.
      h = conv(n, `encoder.down_blocks.${i}.downsamplers.0.conv`, h, { stride: 2, pads: [0, 0, 1, 1] });
    }
  }
  h = midBlock(n, 'encoder.mid_block', h, spec, tembAct);
  h = groupNormSilu(n, 'encoder.conv_norm_out', h, spec.normNumGroups, VAE_EPS);
  h = conv(n, 'encoder.conv_out', h, { padding: 1 });
  return conv(n, 'quant_conv', h);
}

/** The posterior mean (first half of the moments' channels). */
export function posteriorMean<T>(ops: NetOps<T>, moments: T): T {
  return ops.split(moments, 1, 2)[0]!;
}

/** The posterior log-variance (second half of the moments' channels, unclamped). */
export function posteriorLogVar<T>(ops: NetOps<T>, moments: T): T {
  return ops.split(moments, 1, 2)[1]!;
}

/**
 * `post_quant_conv` + decoder: pixels `[B, outChannels, h·2^(L-1), w·2^(L-1)]` from `z` (already divided by
 * the scaling factor).
 */
export function vaeDecode<T>(
  ops: NetOps<T>,
  spec: VaeSpec,
  p: ParamLookup<T>,
  z: T,
  opts: { readonly lora?: LoraLookup<T> } = {},
): T {
  if (spec.arch === 'taesd') return taesdDecode(ops, spec, p, z, opts);
  const n: Net<T> = { ops, p, lora: opts.lora };
  const widths = spec.blockOutChannels;
  const levels = widths.length;
  let h = conv(n, 'post_quant_conv', z);
  h = conv(n, 'decoder.conv_in', h, { padding: 1 });
  h = midBlock(n, 'decoder.mid_block', h, spec, null);
  let c = widths[levels - 1]!;
  for (let i = 0; i < levels; i++) {
    const out = widths[levels - 1 - i]!;
    for (let j = 0; j <= spec.layersPerBlock; j++) {
      h = resnetBlock(n, `decoder.up_blocks.${i}.resnets.${j}`, h, null, {
        inChannels: c,
        outChannels: out,
        groups: spec.normNumGroups,
        eps: VAE_EPS,
        timeMode: 'none',
      });
      c = out;
    }
    if (i < levels - 1) h = conv(n, `decoder.up_blocks.${i}.upsamplers.0.conv`, ops.upsampleNearest2x(h), { padding: 1 });
  }
  h = groupNormSilu(n, 'decoder.conv_norm_out', h, spec.normNumGroups, VAE_EPS);
  return conv(n, 'decoder.conv_out', h, { padding: 1 });
}
