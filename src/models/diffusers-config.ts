/**
 * diffusers `config.json` → tadsr specs, so a diffusers model folder (`unet/config.json`, `vae/config.json`)
 * maps onto a `ModelSpec` field by field. Unsupported features are refused with the field named.
 */
import type { UNetDownBlockType, UNetSpec, UNetUpBlockType, VaeSpec } from './specs.js';

type Json = Record<string, unknown>;

function need<T>(c: Json, key: string, what: string): T {
  if (!(key in c)) throw new Error(`${what} config: missing "${key}"`);
  return c[key] as T;
}

function refuse(c: Json, key: string, ok: (v: unknown) => boolean, what: string): void {
  if (key in c && c[key] !== null && !ok(c[key])) throw new Error(`${what} config: unsupported ${key} = ${JSON.stringify(c[key])}`);
}

/**
 * A `UNetSpec` from a diffusers `UNet2DConditionModel` config. Heads follow diffusers exactly:
 * `num_attention_heads ?? attention_head_dim` is the number of heads.
 *
 * @example const unet = unetSpecFromDiffusersConfig(JSON.parse(readFileSync('unet/config.json', 'utf8')));
 */
export function unetSpecFromDiffusersConfig(c: Json): UNetSpec {
  const what = 'UNet2DConditionModel';
  const widths = need<number[]>(c, 'block_out_channels', what);
  const down = need<string[]>(c, 'down_block_types', what);
  const up = need<string[]>(c, 'up_block_types', what);
  for (const t of down) if (t !== 'DownBlock2D' && t !== 'CrossAttnDownBlock2D') throw new Error(`${what} config: unsupported down block ${t}`);
  for (const t of up) if (t !== 'UpBlock2D' && t !== 'CrossAttnUpBlock2D') throw new Error(`${what} config: unsupported up block ${t}`);
  refuse(c, 'mid_block_type', (v) => v === 'UNetMidBlock2DCrossAttn', what);
  refuse(c, 'transformer_layers_per_block', (v) => v === 1, what);
  refuse(c, 'class_embed_type', () => false, what);
  refuse(c, 'addition_embed_type', () => false, what);
  refuse(c, 'time_embedding_type', (v) => v === 'positional', what);
  refuse(c, 'resnet_time_scale_shift', (v) => v === 'default', what);
  refuse(c, 'only_cross_attention', (v) => v === false, what);
  refuse(c, 'act_fn', (v) => v === 'silu', what);
  const layers = c['layers_per_block'] ?? 2;
  if (typeof layers !== 'number') throw new Error(`${what} config: per-level layers_per_block is not supported`);
  const heads = (c['num_attention_heads'] ?? c['attention_head_dim'] ?? 8) as number | number[];
  return {
    inChannels: (c['in_channels'] as number | undefined) ?? 4,
    outChannels: (c['out_channels'] as number | undefined) ?? 4,
    blockOutChannels: widths,
    layersPerBlock: layers,
    downBlockTypes: down as UNetDownBlockType[],
    upBlockTypes: up as UNetUpBlockType[],
    attentionHeads: Array.isArray(heads) ? heads : widths.map(() => heads),
    crossAttentionDim: (c['cross_attention_dim'] as number | undefined) ?? 1280,
    useLinearProjection: (c['use_linear_projection'] as boolean | undefined) ?? false,
    normNumGroups: (c['norm_num_groups'] as number | undefined) ?? 32,
    normEps: (c['norm_eps'] as number | undefined) ?? 1e-5,
    flipSinToCos: (c['flip_sin_to_cos'] as boolean | undefined) ?? true,
    freqShift: (c['freq_shift'] as number | undefined) ?? 0,
  };
}

/** A `VaeSpec` from a diffusers `AutoencoderKL` config. */
export function vaeSpecFromDiffusersConfig(c: Json): VaeSpec {
  const what = 'AutoencoderKL';
  for (const t of need<string[]>(c, 'down_block_types', what)) if (t !== 'DownEncoderBlock2D') throw new Error(`${what} config: unsupported down block ${t}`);
  for (const t of need<string[]>(c, 'up_block_types', what)) if (t !== 'UpDecoderBlock2D') throw new Error(`${what} config: unsupported up block ${t}`);
  refuse(c, 'use_quant_conv', (v) => v === true, what);
  refuse(c, 'use_post_quant_conv', (v) => v === true, what);
  refuse(c, 'act_fn', (v) => v === 'silu', what);
  return {
    inChannels: (c['in_channels'] as number | undefined) ?? 3,
    outChannels: (c['out_channels'] as number | undefined) ?? 3,
    blockOutChannels: need<number[]>(c, 'block_out_channels', what),
    layersPerBlock: (c['layers_per_block'] as number | undefined) ?? 1,
    latentChannels: (c['latent_channels'] as number | undefined) ?? 4,
    normNumGroups: (c['norm_num_groups'] as number | undefined) ?? 32,
    scalingFactor: (c['scaling_factor'] as number | undefined) ?? 0.18215,
    midBlockAddAttention: (c['mid_block_add_attention'] as boolean | undefined) ?? true,
  };
}
