/**
 * Analytic FLOP count of a network written over NetOps: a NetOps whose handles are shapes. Counts the
 * multiply-adds of conv, linear and attention (2 FLOPs each) — the usual "effective GFLOP/s" convention;
 * elementwise ops and normalisations are not counted. A training step counts 3× the forward (backward ≈ 2×).
 */
import type { NetOps, ParamLookup } from '../src/models/net-ops.js';

type Shape = readonly number[];

/** A shape-tracing NetOps that adds up FLOPs in `counter.flops`. */
export function flopCountingOps(counter: { flops: number }): NetOps<Shape> {
  const same = (x: Shape) => x;
  const bcast = (a: Shape, b: Shape) => (a.length >= b.length ? a : b).map((_, i, arr) => {
    const r = arr.length;
    const ai = a[a.length - r + i] ?? 1;
    const bi = b[b.length - r + i] ?? 1;
    return Math.max(ai, bi);
  });
  return {
    conv2d: (x, w, _b, o = {}) => {
      const [n, , h, wd] = x as [number, number, number, number];
      const [co, ci, kh, kw] = w as [number, number, number, number];
      const p = o.padding ?? 0;
      const [t, l, bo, r] = o.pads ?? [p, p, p, p];
      const s = o.stride ?? 1;
      const ho = Math.floor((h + t + bo - kh) / s) + 1;
      const wo = Math.floor((wd + l + r - kw) / s) + 1;
      counter.flops += 2 * n * co * ho * wo * ci * kh * kw;
      return [n, co, ho, wo];
    },
    linear: (x, w) => {
      const m = x.slice(0, -1).reduce((a, b) => a * b, 1);
      counter.flops += 2 * m * w[0]! * w[1]!;
      return [...x.slice(0, -1), w[0]!];
    },
    attention: (q, k) => {
      counter.flops += 2 * 2 * q[0]! * q[1]! * k[1]! * q[2]!;
      return q;
    },
    causalAttention: (q, k) => {
      counter.flops += 2 * 2 * q[0]! * q[1]! * k[1]! * q[2]!;
      return q;
    },
    embedding: (table, ids) => [...ids, table[1]!],
    positions: (ids) => [1, ids[1]!],
    groupNorm: same,
    groupNormSilu: same,
    layerNorm: same,
    silu: same,
    gelu: same,
    relu: same,
    tanh: same,
    sqrt: same,
    add: bcast,
    sub: bcast,
    mul: bcast,
    div: bcast,
    scale: same,
    addScalar: same,
    expandSpatial: (x) => [...x, 1, 1],
    perSample: same,
    toTokens: (x) => [x[0]!, x[2]! * x[3]!, x[1]!],
    fromTokens: (t, like) => [t[0]!, t[2]!, like[2]!, like[3]!],
    upsampleNearest2x: (x) => [x[0]!, x[1]!, 2 * x[2]!, 2 * x[3]!],
    maxPool2d: (x, k, s = k) => [x[0]!, x[1]!, Math.floor((x[2]! - k) / s) + 1, Math.floor((x[3]! - k) / s) + 1],
    concat: (xs, axis) => xs[0]!.map((d, i) => (i === axis ? xs.reduce((a, x) => a + x[i]!, 0) : d)),
    split: (x, axis, parts) => Array.from({ length: parts }, () => x.map((d, i) => (i === axis ? d / parts : d))),
    timestepEmbedding: (t, dim) => [t[0]!, dim],
    reduceMean: (x, axes) => x.map((d, i) => (axes.includes(i) ? 1 : d)),
    padReflect: (x, [t, l, b, r]) => [x[0]!, x[1]!, x[2]! + t + b, x[3]! + l + r],
    blur2d: (x, _c, taps, s) => [x[0]!, x[1]!, Math.floor((x[2]! - taps.length) / s) + 1, Math.floor((x[3]! - taps.length) / s) + 1],
  };
}

/** Forward FLOPs of `net` for the given input shape and parameter shapes. */
export function countForwardFlops(
  net: (ops: NetOps<Shape>, p: ParamLookup<Shape>, x: Shape) => Shape,
  shapes: ReadonlyMap<string, readonly number[]>,
  input: Shape,
): number {
  const counter = { flops: 0 };
  net(flopCountingOps(counter), (n) => shapes.get(n) ?? (() => { throw new Error(`no param ${n}`); })(), input);
  return counter.flops;
}
