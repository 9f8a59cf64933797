/**
 * FLOPs of a network, counted analytically from its spec: the network function runs over `ShapeOps`, a
 * `NetOps<number[]>` whose handles are shapes, so the count follows the exact same code path as inference.
 *
 * Convention: a multiply-add is 2 FLOPs (conv, linear, attention matmuls: `dense`); norms count 5 per element,
 * softmax 5 per score, GELU 8 and SiLU 4 per element, other elementwise ops 1 (`other`). Effective GFLOP/s in the
 * benchmarks is `(dense + other) / seconds`.
 */
import type { NetOps } from './net-ops.js';
import { unetParamShapes, vaeParamShapes } from './params.js';
import type { ModelSpec } from './specs.js';
import { unetForward } from './unet.js';
import { posteriorMean, vaeDecode, vaeEncode } from './vae.js';

type Shape = number[];

export interface FlopCount {
  /** Conv / linear / attention matmul FLOPs (2 per multiply-add). */
  dense: number;
  /** Norms, activations, softmax and elementwise arithmetic. */
  other: number;
}

const size = (s: Shape) => s.reduce((a, b) => a * b, 1);

function broadcast(a: Shape, b: Shape): Shape {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(Math.max(x, y));
  }
  return out;
}

/** `NetOps` over shapes, accumulating FLOPs in `count`. Also a shape checker: mismatches throw. */
export class ShapeOps implements NetOps<Shape> {
  readonly count: FlopCount = { dense: 0, other: 0 };

  conv2d(x: Shape, w: Shape, _b: Shape | null, o: { stride?: number; padding?: number; pads?: readonly [number, number, number, number] } = {}): Shape {
    const [B, C, H, W] = x as [number, number, number, number];
    const [O, I, kh, kw] = w as [number, number, number, number];
    if (C !== I) throw new Error(`conv2d: input has ${C} channels, weight expects ${I}`);
    const s = o.stride ?? 1;
    const p = o.padding ?? 0;
    const [pt, pl, pb, pr] = o.pads ?? [p, p, p, p];
    const Ho = Math.floor((H + pt + pb - kh) / s) + 1;
    const Wo = Math.floor((W + pl + pr - kw) / s) + 1;
    this.count.dense += 2 * B * O * Ho * Wo * I * kh * kw;
    return [B, O, Ho, Wo];
  }
  linear(x: Shape, w: Shape): Shape {
    const [out, inp] = w as [number, number];
    if (x[x.length - 1] !== inp) throw new Error(`linear: input width ${x[x.length - 1]}, weight expects ${inp}`);
    this.count.dense += 2 * (size(x) / inp) * inp * out;
    return [...x.slice(0, -1), out];
  }
  groupNorm(x: Shape): Shape {
    this.count.other += 5 * size(x);
    return x;
  }
  layerNorm(x: Shape): Shape {
    this.count.other += 5 * size(x);
    return x;
  }
  silu(x: Shape): Shape {
    this.count.other += 4 * size(x);
    return x;
  }
  gelu(x: Shape): Shape {
    this.count.other += 8 * size(x);
    return x;
  }
  private elementwise(a: Shape, b: Shape): Shape {
    const s = broadcast(a, b);
    this.count.other += size(s);
    return s;
  }
  add(a: Shape, b: Shape): Shape {
    return this.elementwise(a, b);
  }
  sub(a: Shape, b: Shape): Shape {
    return this.elementwise(a, b);
  }
  mul(a: Shape, b: Shape): Shape {
    return this.elementwise(a, b);
  }
  div(a: Shape, b: Shape): Shape {
    return this.elementwise(a, b);
  }
  scale(x: Shape): Shape {
    this.count.other += size(x);
    return x;
  }
  addScalar(x: Shape): Shape {
    this.count.other += size(x);
    return x;
  }
  relu(x: Shape): Shape {
    this.count.other += size(x);
    return x;
  }
  tanh(x: Shape): Shape {
    this.count.other += 4 * size(x);
    return x;
  }
  sqrt(x: Shape): Shape {
    this.count.other += size(x);
    return x;
  }
  maxPool2d(x: Shape, kernel: number, stride = kernel): Shape {
    const [B, C, H, W] = x as [number, number, number, number];
    const out = [B, C, Math.floor((H - kernel) / stride) + 1, Math.floor((W - kernel) / stride) + 1];
    this.count.other += size(out) * kernel * kernel;
    return out;
  }
  reduceMean(x: Shape, axes: readonly number[]): Shape {
    this.count.other += size(x);
    return x.map((d, i) => (axes.includes(i) || axes.includes(i - x.length) ? 1 : d));
  }
  padReflect(x: Shape, [t, l, b, r]: readonly [number, number, number, number]): Shape {
    const [B, C, H, W] = x as [number, number, number, number];
    const out = [B, C, H + t + b, W + l + r];
    this.count.other += size(out);
    return out;
  }
  blur2d(x: Shape, _channels: number, taps: readonly number[], stride: number): Shape {
    const [B, C, H, W] = x as [number, number, number, number];
    const k = taps.length;
    const out = [B, C, Math.floor((H - k) / stride) + 1, Math.floor((W - k) / stride) + 1];
    this.count.other += 2 * size(out) * k * k;
    return out;
  }
  expandSpatial(x: Shape): Shape {
    return [...x, 1, 1];
  }
  perSample(x: Shape): Shape {
    this.count.other += size(x);
    return x;
  }
  toTokens(x: Shape): Shape {
    const [B, C, H, W] = x as [number, number, number, number];
    return [B, H * W, C];
  }
  fromTokens(t: Shape, like: Shape): Shape {
    return [t[0]!, t[2]!, like[2]!, like[3]!];
  }
  attention(q: Shape, k: Shape, _v: Shape, heads: number): Shape {
    const [B, Lq, C] = q as [number, number, number];
    const Lk = k[1]!;
    this.count.dense += 2 * 2 * B * Lq * Lk * C;
    this.count.other += 5 * B * heads * Lq * Lk;
    return q;
  }
  upsampleNearest2x(x: Shape): Shape {
    const [B, C, H, W] = x as [number, number, number, number];
    return [B, C, 2 * H, 2 * W];
  }
  concat(xs: readonly Shape[], axis: number): Shape {
    const out = [...xs[0]!];
    out[axis] = xs.reduce((a, s) => a + s[axis]!, 0);
    return out;
  }
  split(x: Shape, axis: number, parts: number): Shape[] {
    const a = axis < 0 ? x.length + axis : axis;
    return Array.from({ length: parts }, () => x.map((d, i) => (i === a ? d / parts : d)));
  }
  timestepEmbedding(t: Shape, dim: number): Shape {
    return [t[0]!, dim];
  }
  embedding(table: Shape, ids: Shape): Shape {
    return [...ids, table[1]!];
  }
  positions(ids: Shape): Shape {
    return [1, ids[1]!];
  }
  causalAttention(q: Shape, k: Shape, v: Shape, heads: number): Shape {
    return this.attention(q, k, v, heads);
  }
}

/** What to count: a sub-network or the whole one-step student (TAE/encoder + UNet + decoder). */
export type FlopGraph = 'student' | 'vaeEncoder' | 'timeAwareEncoder' | 'unet' | 'vaeDecoder';

/**
 * FLOPs of one image through `graph` at an input of `height`×`width` pixels (for `unet` / `vaeDecoder`: the
 * latent of such an image). Text context: one token (the fixed empty-prompt embedding).
 *
 * @example flopsOf(presets.small, 'student', 512, 512) // { dense: …, other: … }
 */
export function flopsOf(spec: ModelSpec, graph: FlopGraph, height: number, width: number, batch = 1): FlopCount {
  const ops = new ShapeOps();
  const vs = vaeParamShapes(spec.vae, spec.tae);
  const us = unetParamShapes(spec.unet);
  const pv = (n: string) => vs.get(n) ?? fail(n);
  const pu = (n: string) => us.get(n) ?? fail(n);
  const down = 2 ** (spec.vae.blockOutChannels.length - 1);
  const L = spec.vae.latentChannels;
  const latent = [batch, L, height / down, width / down];
  const ctx = spec.unet.crossAttentionDim === null ? undefined : [batch, 1, spec.unet.crossAttentionDim];
  const x = [batch, spec.vae.inChannels, height, width];
  const t = [batch];
  switch (graph) {
    case 'vaeEncoder':
      vaeEncode(ops, spec.vae, pv, x);
      break;
    case 'timeAwareEncoder':
      vaeEncode(ops, spec.vae, pv, x, { tae: spec.tae, timestep: t });
      break;
    case 'unet':
      unetForward(ops, spec.unet, pu, { sample: latent, timestep: t, encoderHiddenStates: ctx });
      break;
    case 'vaeDecoder':
      vaeDecode(ops, spec.vae, pv, latent);
      break;
    case 'student': {
      const m = vaeEncode(ops, spec.vae, pv, x, spec.tae ? { tae: spec.tae, timestep: t } : {});
      const z = posteriorMean(ops, m);
      const eps = unetForward(ops, spec.unet, pu, { sample: z, timestep: t, encoderHiddenStates: ctx });
      vaeDecode(ops, spec.vae, pv, ops.add(z, eps));
      break;
    }
  }
  return { ...ops.count };
}

function fail(name: string): never {
  throw new Error(`flops: no parameter ${name}`);
}
