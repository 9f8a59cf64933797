/**
 * diffusers `UNet2DConditionModel.forward` (ε prediction), written once over `NetOps<T>`.
 */
import { conv, groupNormSilu, resnetBlock, timestepMlp, transformer2d, type LoraLookup, type Net } from './layers.js';
import type { NetOps, ParamLookup } from './net-ops.js';
import type { UNetSpec } from './specs.js';

export interface UNetInputs<T> {
  /** Noisy latent `[B, inChannels, h, w]` (already × scaling factor). */
  readonly sample: T;
  /** Timesteps `[B]` (float). */
  readonly timestep: T;
  /** Conditioning tokens `[B, L, crossAttentionDim]`; required iff `spec.crossAttentionDim` is not null. */
  readonly encoderHiddenStates?: T;
}

/**
 * The UNet's ε prediction `[B, outChannels, h, w]`. Weight names are diffusers' (`conv_in.weight`,
 * `down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight`, …); `h`, `w` divisible by
 * `2^(levels-1)`.
 *
 * @example
 * const eps = unetForward(ops, presets.tiny.unet, name => weights.get(name)!, { sample, timestep, encoderHiddenStates });
 */
export function unetForward<T>(
  ops: NetOps<T>,
  spec: UNetSpec,
  p: ParamLookup<T>,
  inputs: UNetInputs<T>,
  opts: { readonly lora?: LoraLookup<T> } = {},
): T {
  const n: Net<T> = { ops, p, lora: opts.lora };
  const ctx = spec.crossAttentionDim === null ? null : (inputs.encoderHiddenStates ?? null);
  if (spec.crossAttentionDim !== null && ctx === null) throw new Error('unetForward: encoderHiddenStates required');
  const widths = spec.blockOutChannels;
  const levels = widths.length;
  const g = spec.normNumGroups;
  const eps = spec.normEps;
  const tr = (heads: number) => ({ heads, groups: g, useLinearProjection: spec.useLinearProjection });

  const sinus = ops.timestepEmbedding(inputs.timestep, widths[0]!, spec.flipSinToCos, spec.freqShift);
  const tembAct = ops.silu(timestepMlp(n, 'time_embedding', sinus));
  const res = (prefix: string, x: T, inC: number, outC: number) =>
    resnetBlock(n, prefix, x, tembAct, { inChannels: inC, outChannels: outC, groups: g, eps, timeMode: 'default' });

  let h = conv(n, 'conv_in', inputs.sample, { padding: 1 });
  const skips: { t: T; c: number }[] = [{ t: h, c: widths[0]! }];
  let c = widths[0]!;
  for (let i = 0; i < levels; i++) {
    const out = widths[i]!;
    const attends = spec.downBlockTypes[i] === 'CrossAttnDownBlock2D';
    for (let j = 0; j < spec.layersPerBlock; j++) {
      h = res(`down_blocks.${i}.resnets.${j}`, h, c, out);
      c = out;
      if (attends) h = transformer2d(n, `down_blocks.${i}.attentions.${j}`, h, ctx, tr(spec.attentionHeads[i]!));
      skips.push({ t: h, c });
    }
    if (i < levels - 1) {
      h = conv(n, `down_blocks.${i}.downsamplers.0.conv`, h, { stride: 2, padding: 1 });
      skips.push({ t: h, c });
    }
  }

  h = res('mid_block.resnets.0', h, c, c);
  h = transformer2d(n, 'mid_block.attentions.0', h, ctx, tr(spec.attentionHeads[levels - 1]!));
  h = res('mid_block.resnets.1', h, c, c);

  for (let i = 0; i < levels; i++) {
    const out = widths[levels - 1 - i]!;
    const attends = spec.upBlockTypes[i] === 'CrossAttnUpBlock2D';
    for (let j = 0; j <= spec.layersPerBlock; j++) {
      const skip = skips.pop();
      if (skip === undefined) throw new Error('unetForward: skip stack underflow (spec inconsistent)');
      h = res(`up_blocks.${i}.resnets.${j}`, ops.concat([h, skip.t], 1), c + skip.c, out);
      c = out;
      if (attends) h = transformer2d(n, `up_blocks.${i}.attentions.${j}`, h, ctx, tr(spec.attentionHeads[levels - 1 - i]!));
    }
    if (i < levels - 1) h = conv(n, `up_blocks.${i}.upsamplers.0.conv`, ops.upsampleNearest2x(h), { padding: 1 });
  }

  h = groupNormSilu(n, 'conv_norm_out', h, g, eps);
  return conv(n, 'conv_out', h, { padding: 1 });
}
