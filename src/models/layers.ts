/**
 * The building blocks the networks share (diffusers modules, written once over `NetOps<T>`): Linear/Conv2d with
 * optional LoRA, norms, `ResnetBlock2D`, the VAE's single-head attention block and `Transformer2DModel`.
 * Every block reads its weights by diffusers parameter name under a `prefix`.
 */
import type { NetOps, ParamLookup } from './net-ops.js';
import type { TimeAwareSpec } from './specs.js';

/**
 * A LoRA pair for one module (PEFT): `y = base(x) + scale · B(A(x))`. Two optional extensions serve the t_s
 * adapter (`ts-adapter.ts`): without `b` the delta is `scale · (A(x) + bias)` (A is a full-rank weight delta, with
 * its bias delta), and a per-sample `gate` `[B]` multiplies sample b's delta by `gate[b]`.
 */
export interface LoraPair<T> {
  readonly a: T;
  readonly b?: T;
  /** `alpha / rank`. */
  readonly scale: number;
  /** Bias delta of a full-rank delta (only without `b`). */
  readonly bias?: T;
  /** Per-sample gate `[B]` (the t_s adapter's strength at each sample's t_s). */
  readonly gate?: T;
}

/** LoRA adapters looked up by module name (a parameter name without `.weight`); `undefined`: no adapter. */
export type LoraLookup<T> = (module: string) => LoraPair<T> | undefined;

/** What every block needs: the ops, the weights and (at training time) the LoRA adapters. */
export interface Net<T> {
  readonly ops: NetOps<T>;
  readonly p: ParamLookup<T>;
  readonly lora?: LoraLookup<T>;
}

/** PyTorch `Linear` named `name` (with bias unless `bias` is false), plus its LoRA adapter if any. */
export function linear<T>(n: Net<T>, name: string, x: T, bias = true): T {
  const y = n.ops.linear(x, n.p(`${name}.weight`), bias ? n.p(`${name}.bias`) : null);
  const l = n.lora?.(name);
  if (l === undefined) return y;
  const down = n.ops.linear(x, l.a, l.b === undefined ? (l.bias ?? null) : null);
  return addDelta(n, y, l.b === undefined ? down : n.ops.linear(down, l.b, null), l);
}

/** `y + gate · scale · delta` (gate per sample when the pair has one). */
function addDelta<T>(n: Net<T>, y: T, delta: T, l: LoraPair<T>): T {
  const scaled = l.scale === 1 ? delta : n.ops.scale(delta, l.scale);
  return n.ops.add(y, l.gate === undefined ? scaled : n.ops.perSample(scaled, l.gate));
}

/** Zero-padding for a convolution: the same on every side, or `[top, left, bottom, right]`. */
export interface ConvOpts {
  readonly stride?: number;
  readonly padding?: number;
  readonly pads?: readonly [number, number, number, number];
}

/**
 * PyTorch `Conv2d` named `name` (with bias unless `bias` is false), plus its LoRA adapter (A: same kernel/stride,
 * B: 1×1).
 */
export function conv<T>(n: Net<T>, name: string, x: T, opts: ConvOpts = {}, bias = true): T {
  const y = n.ops.conv2d(x, n.p(`${name}.weight`), bias ? n.p(`${name}.bias`) : null, opts);
  const l = n.lora?.(name);
  if (l === undefined) return y;
  const down = n.ops.conv2d(x, l.a, l.b === undefined ? (l.bias ?? null) : null, opts);
  return addDelta(n, y, l.b === undefined ? down : n.ops.conv2d(down, l.b, null, { padding: 0 }), l);
}

/** PyTorch `GroupNorm` named `name`. */
export function groupNorm<T>(n: Net<T>, name: string, x: T, groups: number, eps: number): T {
  return n.ops.groupNorm(x, groups, n.p(`${name}.weight`), n.p(`${name}.bias`), eps);
}

/** `SiLU(GroupNorm(x))`, through the backend's fused op when it has one (`NetOps.groupNormSilu`). */
export function groupNormSilu<T>(n: Net<T>, name: string, x: T, groups: number, eps: number): T {
  const gamma = n.p(`${name}.weight`);
  const beta = n.p(`${name}.bias`);
  return n.ops.groupNormSilu?.(x, groups, gamma, beta, eps) ?? n.ops.silu(n.ops.groupNorm(x, groups, gamma, beta, eps));
}

/** PyTorch `LayerNorm` named `name` over the last dimension. */
export function layerNorm<T>(n: Net<T>, name: string, x: T, eps: number): T {
  return n.ops.layerNorm(x, n.p(`${name}.weight`), n.p(`${name}.bias`), eps);
}

/** How a ResNet takes the time embedding: added after conv1, scale-shift after norm2, or not at all. */
export type TimeMode = 'default' | 'scale_shift' | 'none';

export interface ResnetOpts {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly eps: number;
  readonly timeMode: TimeMode;
}

/**
 * diffusers `ResnetBlock2D` (pre-norm, SiLU, output scale 1). `tembAct` is `SiLU(temb)` (computed once per
 * network) or null when `timeMode` is `none`.
 */
export function resnetBlock<T>(n: Net<T>, prefix: string, x: T, tembAct: T | null, o: ResnetOpts): T {
  const { ops } = n;
  let h = groupNormSilu(n, `${prefix}.norm1`, x, o.groups, o.eps);
  h = conv(n, `${prefix}.conv1`, h, { padding: 1 });
  if (o.timeMode !== 'none' && tembAct === null) throw new Error(`${prefix}: time embedding required`);
  if (o.timeMode === 'default' && tembAct !== null) {
    h = ops.add(h, ops.expandSpatial(linear(n, `${prefix}.time_emb_proj`, tembAct)));
  }
  if (o.timeMode === 'scale_shift' && tembAct !== null) {
    h = groupNorm(n, `${prefix}.norm2`, h, o.groups, o.eps);
    const [scale, shift] = ops.split(linear(n, `${prefix}.time_emb_proj`, tembAct), 1, 2) as [T, T];
    // h·(1 + scale) + shift
    h = ops.silu(ops.add(ops.add(h, ops.mul(h, ops.expandSpatial(scale))), ops.expandSpatial(shift)));
  } else {
    h = groupNormSilu(n, `${prefix}.norm2`, h, o.groups, o.eps);
  }
  h = conv(n, `${prefix}.conv2`, h, { padding: 1 });
  const skip = o.inChannels === o.outChannels ? x : conv(n, `${prefix}.conv_shortcut`, x);
  return ops.add(skip, h);
}

/**
 * diffusers `Attention` as the VAE mid block uses it (`_from_deprecated_attn_block`): GroupNorm, one head over
 * all channels, q/k/v/out with bias, residual.
 */
export function vaeAttentionBlock<T>(n: Net<T>, prefix: string, x: T, groups: number, eps: number): T {
  const { ops } = n;
  const t = ops.toTokens(groupNorm(n, `${prefix}.group_norm`, x, groups, eps));
  const q = linear(n, `${prefix}.to_q`, t);
  const k = linear(n, `${prefix}.to_k`, t);
  const v = linear(n, `${prefix}.to_v`, t);
  const o = linear(n, `${prefix}.to_out.0`, ops.attention(q, k, v, 1));
  return ops.add(ops.fromTokens(o, x), x);
}

/** diffusers `Attention` inside a transformer block: q/k/v without bias, out with bias. `context` null: self. */
function transformerAttention<T>(n: Net<T>, prefix: string, x: T, context: T | null, heads: number): T {
  const ctx = context ?? x;
  const q = linear(n, `${prefix}.to_q`, x, false);
  const k = linear(n, `${prefix}.to_k`, ctx, false);
  const v = linear(n, `${prefix}.to_v`, ctx, false);
  return linear(n, `${prefix}.to_out.0`, n.ops.attention(q, k, v, heads));
}

export interface TransformerOpts {
  readonly heads: number;
  readonly groups: number;
  readonly useLinearProjection: boolean;
}

/**
 * diffusers `Transformer2DModel` with one `BasicTransformerBlock` (GEGLU feed-forward ×4). With `context`
 * null the block has no cross-attention (`norm2`/`attn2` absent).
 */
export function transformer2d<T>(n: Net<T>, prefix: string, x: T, context: T | null, o: TransformerOpts): T {
  const { ops } = n;
  const normed = groupNorm(n, `${prefix}.norm`, x, o.groups, 1e-6);
  let t = o.useLinearProjection
    ? linear(n, `${prefix}.proj_in`, ops.toTokens(normed))
    : ops.toTokens(conv(n, `${prefix}.proj_in`, normed));
  const b = `${prefix}.transformer_blocks.0`;
  t = ops.add(t, transformerAttention(n, `${b}.attn1`, layerNorm(n, `${b}.norm1`, t, 1e-5), null, o.heads));
  if (context !== null) {
    t = ops.add(t, transformerAttention(n, `${b}.attn2`, layerNorm(n, `${b}.norm2`, t, 1e-5), context, o.heads));
  }
  const proj = linear(n, `${b}.ff.net.0.proj`, layerNorm(n, `${b}.norm3`, t, 1e-5));
  const [hidden, gate] = ops.split(proj, 2, 2) as [T, T];
  t = ops.add(t, linear(n, `${b}.ff.net.2`, ops.mul(hidden, ops.gelu(gate))));
  const out = o.useLinearProjection
    ? ops.fromTokens(linear(n, `${prefix}.proj_out`, t), x)
    : conv(n, `${prefix}.proj_out`, ops.fromTokens(t, x));
  return ops.add(out, x);
}

/**
 * The time-aware encoder's (TADSR's TAE) activated time embedding `SiLU(time_embedding(sinusoid(t_s)))` `[B, embedDim]`
 * under `encoder.time_embedding`, or null without `tae` (a plain encoder). Shared by the KL VAE and TAESD encoders.
 */
export function taeTimeEmbedding<T>(n: Net<T>, tae: TimeAwareSpec | undefined, timestep: T | undefined, who: string): T | null {
  if (tae === undefined) return null;
  if (timestep === undefined) throw new Error(`${who}: the time-aware encoder needs a timestep`);
  const sinus = n.ops.timestepEmbedding(timestep, tae.timeProjDim, tae.flipSinToCos, tae.freqShift);
  return n.ops.silu(timestepMlp(n, 'encoder.time_embedding', sinus));
}

/** diffusers `TimestepEmbedding` under `prefix`: linear_1 → SiLU → linear_2. */
export function timestepMlp<T>(n: Net<T>, prefix: string, sinusoid: T): T {
  return linear(n, `${prefix}.linear_2`, n.ops.silu(linear(n, `${prefix}.linear_1`, sinusoid)));
}
