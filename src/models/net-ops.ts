/**
 * The op set every network (UNet, VAE, time-aware encoder, LoRA) is written against — once.
 *
 * A network is a function `(ops, params, inputs) => outputs` generic over the tensor handle `T`. The TF.js
 * backend implements `NetOps<tf.Tensor>` eagerly (and so gets gradients); the ONNX backend implements
 * `NetOps<string>` by emitting graph nodes (a handle is a value name). Same code, two backends: that is
 * what makes parity between them a property of the ops, not of two copies of each network.
 *
 * Layout is NCHW throughout (diffusers / ONNX). Weight shapes are PyTorch's: conv `[out, in, kh, kw]`,
 * linear `[out, in]`. Shapes of activations are not required to be static (ONNX graphs take any H, W).
 *
 * Ownership (see DESIGN.md): this file is shared by both backends; change it additively.
 */
export interface NetOps<T> {
  /**
   * 2-D convolution (cross-correlation), zero padding `padding` on every side, or `pads` = `[top, left, bottom,
   * right]` when given (the VAE's downsamplers pad only bottom/right by 1, as diffusers' `Downsample2D`).
   */
  conv2d(
    x: T,
    w: T,
    b: T | null,
    opts?: {
      readonly stride?: number;
      readonly padding?: number;
      readonly pads?: readonly [number, number, number, number];
    },
  ): T;
  /** `x @ wᵀ + b` over the last dimension (PyTorch Linear). */
  linear(x: T, w: T, b: T | null): T;
  /** GroupNorm over NCHW with per-channel affine. */
  groupNorm(x: T, groups: number, gamma: T, beta: T, eps: number): T;
  /**
   * Optional fused `silu(groupNorm(x, …))` (every ResNet block's norm + activation). Backends that fuse it (TF.js
   * with ORT kernels: one kernel forward, one backward) provide it; callers fall back to the two ops:
   * `ops.groupNormSilu?.(x, g, γ, β, eps) ?? ops.silu(ops.groupNorm(x, g, γ, β, eps))`.
   */
  groupNormSilu?(x: T, groups: number, gamma: T, beta: T, eps: number): T;
  /** LayerNorm over the last dimension. */
  layerNorm(x: T, gamma: T, beta: T, eps: number): T;
  silu(x: T): T;
  /** Exact (erf) GELU, as PyTorch's default. */
  gelu(x: T): T;
  add(a: T, b: T): T;
  sub(a: T, b: T): T;
  /** Broadcasting product. */
  mul(a: T, b: T): T;
  scale(x: T, s: number): T;
  /** `[B, C]` → `[B, C, 1, 1]` (for adding a per-sample vector to feature maps). */
  expandSpatial(x: T): T;
  /** `x` `[B, …]` (any rank) with sample `b` multiplied by `v[b]`, `v` `[B]` (a per-sample gate). */
  perSample(x: T, v: T): T;
  /** `[B, C, H, W]` → `[B, H·W, C]`. */
  toTokens(x: T): T;
  /** `[B, H·W, C]` → `[B, C, H, W]`, H and W taken from `like` (`[B, *, H, W]`). */
  fromTokens(tokens: T, like: T): T;
  /** Multi-head scaled-dot-product attention, q `[B, Lq, C]`, k/v `[B, Lk, C]` → `[B, Lq, C]`, scale 1/√(C/heads). */
  attention(q: T, k: T, v: T, heads: number): T;
  /** Nearest-neighbour ×2 upsampling of NCHW. */
  upsampleNearest2x(x: T): T;
  concat(xs: readonly T[], axis: number): T;
  /** Split into `parts` equal chunks along `axis` (PyTorch `chunk`). */
  split(x: T, axis: number, parts: number): T[];
  /**
   * diffusers `get_timestep_embedding(t, dim, flip_sin_to_cos, downscale_freq_shift)` with max_period 10000:
   * t `[B]` (float) → `[B, dim]`.
   */
  timestepEmbedding(t: T, dim: number, flipSinToCos: boolean, downscaleFreqShift: number): T;
  // --- added for LPIPS-VGG (src/models/lpips.ts) ---
  /** `max(x, 0)`. */
  relu(x: T): T;
  /** Elementwise hyperbolic tangent (TAESD's latent soft clamp `tanh(z/3)·3`). */
  tanh(x: T): T;
  /** Max pooling of NCHW: square window `kernel`, stride `stride` (default `kernel`), no padding, floor (PyTorch). */
  maxPool2d(x: T, kernel: number, stride?: number): T;
  /** Elementwise square root. */
  sqrt(x: T): T;
  /** Broadcasting quotient `a / b`. */
  div(a: T, b: T): T;
  /** `x + s` for a scalar `s`. */
  addScalar(x: T, s: number): T;
  /** Mean over `axes`, which stay as size-1 dimensions (PyTorch `mean(dim, keepdim=True)`, ONNX ReduceMean). */
  reduceMean(x: T, axes: readonly number[]): T;
  // --- added for the CLIP text encoder (src/models/clip-text.ts) ---
  /**
   * Rows of `table` `[V, D]` picked by `ids` (a float tensor `[B, L]` holding integer token ids, exact below 2²⁴)
   * → `[B, L, D]` (PyTorch `Embedding`). No gradient flows to `ids`.
   */
  embedding(table: T, ids: T): T;
  /** `[1, L]` float positions `0 … L−1` for ids `[B, L]` (PyTorch `arange(L)[None]`, CLIP's `position_ids`). */
  positions(ids: T): T;
  /**
   * Causal multi-head self-attention: as `attention`, but query `i` sees keys `0 … i` only (CLIP's text
   * transformer; `Lq = Lk`).
   */
  causalAttention(q: T, k: T, v: T, heads: number): T;
  // --- added for ST-LPIPS (src/models/stlpips.ts) ---
  /**
   * Reflection padding of NCHW's last two axes (PyTorch `ReflectionPad2d`, ONNX `Pad` mode `reflect`):
   * `pads` = `[top, left, bottom, right]`, each smaller than its axis.
   */
  padReflect(x: T, pads: readonly [number, number, number, number]): T;
  /**
   * Depthwise blur of NCHW by the separable filter `taps ⊗ taps` (used as given: normalise them), the same for
   * each of the `channels` channels, with stride `stride` and no padding — PyTorch
   * `F.conv2d(x, outer(taps, taps).repeat(C, 1, 1, 1), stride=stride, groups=C)`.
   */
  blur2d(x: T, channels: number, taps: readonly number[], stride: number): T;
}

/** How a network reads its weights: by diffusers parameter name. Missing names throw. */
export type ParamLookup<T> = (name: string) => T;
