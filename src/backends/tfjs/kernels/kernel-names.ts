/**
 * Names and attributes of the TF.js kernels whose compute is done by ONNX Runtime (one place, as tfjs-core's
 * kernel_names.ts). All are NCHW / PyTorch-layout and float32.
 */

/** `y = conv2d(x, w) + b`; inputs `{ x [N,Ci,H,W], w [Co,Ci,kh,kw], b? [Co] }`. */
export const OrtConv2d = 'TadsrOrtConv2d';
/** Conv backward: inputs `{ x, w, dy }` → `[dx, dw, db?]` (db when `hasBias`). */
export const OrtConv2dGrad = 'TadsrOrtConv2dGrad';
export interface Conv2dAttrs {
  stride: number;
  /** `[top, left, bottom, right]`. */
  pads: number[];
  hasBias: boolean;
}

/** `y = x @ wᵀ + b` on 2-D x; inputs `{ x [M,K], w [O,K], b? [O] }`. */
export const OrtLinear = 'TadsrOrtLinear';
/** Linear backward: inputs `{ x, w, dy }` → `[dx, dw, db?]`. */
export const OrtLinearGrad = 'TadsrOrtLinearGrad';
export interface LinearAttrs {
  hasBias: boolean;
}

/** Multi-head attention; inputs `{ q [B,Lq,C], k [B,Lk,C], v [B,Lk,C] }` → `[B,Lq,C]`. */
export const OrtAttention = 'TadsrOrtAttention';
/** Attention backward: inputs `{ q, k, v, dy }` → `[dq, dk, dv]`. */
export const OrtAttentionGrad = 'TadsrOrtAttentionGrad';
export interface AttentionAttrs {
  heads: number;
}

/** GroupNorm with affine; inputs `{ x [N,C,H,W], gamma [C], beta [C] }`. */
export const OrtGroupNorm = 'TadsrOrtGroupNorm';
/** GroupNorm backward: inputs `{ x, gamma, dy }` → `[dx, dgamma, dbeta]`. */
export const OrtGroupNormGrad = 'TadsrOrtGroupNormGrad';
export interface GroupNormAttrs {
  groups: number;
  eps: number;
  /** Fuse a SiLU after the affine (`silu(groupNorm(x))`, as in every ResNet block). */
  silu: boolean;
}


/** SiLU `x·σ(x)`; input `{ x }`. */
export const OrtSilu = 'TadsrOrtSilu';
/** SiLU backward: `{ x, dy }` → dx = dy·σ(x)·(1 + x·(1−σ(x))). */
export const OrtSiluGrad = 'TadsrOrtSiluGrad';

/** Nearest ×2 upsampling of NCHW; input `{ x }`. */
export const OrtUpsample2x = 'TadsrOrtUpsample2x';
/** Its backward: `{ dy }` → dx = 2×2 block sums of dy. */
export const OrtUpsample2xGrad = 'TadsrOrtUpsample2xGrad';

/** Concatenation of inputs `x0 … x{n−1}` along `axis`. */
export const OrtConcat = 'TadsrOrtConcat';
/** Its backward: `{ dy }` → one slice per input along `axis`, of sizes `sizes`. */
export const OrtSplit = 'TadsrOrtSplit';
export interface ConcatAttrs {
  axis: number;
  sizes: number[];
}

/** Every kernel above, for registration loops. */
export const ORT_KERNEL_NAMES = [
  OrtConv2d,
  OrtConv2dGrad,
  OrtLinear,
  OrtLinearGrad,
  OrtAttention,
  OrtAttentionGrad,
  OrtGroupNorm,
  OrtGroupNormGrad,
  OrtSilu,
  OrtSiluGrad,
  OrtUpsample2x,
  OrtUpsample2xGrad,
  OrtConcat,
  OrtSplit,
] as const;
