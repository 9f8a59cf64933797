/**
 * The ONNX-Runtime-computed kernels (forward and gradients) equal TF.js's own ops and gradients, computed on the
 * pure-JS cpu backend, to 1e-4 relative (max-abs difference over max-abs reference), on both runtimes the
 * kernels serve (cpu, wasm).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ortAttention } from '../../../src/backends/tfjs/kernels/attention-kernels.js';
import type { Pads4 } from '../../../src/backends/tfjs/kernels/conv2d-models.js';
import { ortConv2d } from '../../../src/backends/tfjs/kernels/conv2d-kernels.js';
import { ortGroupNorm, ortGroupNormSilu } from '../../../src/backends/tfjs/kernels/group-norm-kernels.js';
import { ortLinear } from '../../../src/backends/tfjs/kernels/linear-kernels.js';
import { registerOrtKernels } from '../../../src/backends/tfjs/kernels/register.js';
import { ortKernelSettings } from '../../../src/backends/tfjs/ort/ort-op-cache.js';
import { ortConcat, ortSilu, ortUpsample2x } from '../../../src/backends/tfjs/kernels/shape-op-kernels.js';
import { refAttention, refConv2d, refGroupNorm, refLinear } from '../../../src/backends/tfjs/reference-ops.js';
import { pickTfjsRuntime } from '../../../src/backends/tfjs/runtime.js';
import { createTfjsNetOps } from '../../../src/backends/tfjs/tfjs-net-ops.js';

/** Deterministic pseudo-random data (LCG), so cases do not depend on tfjs's RNG. */
function data(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

interface Case {
  readonly name: string;
  readonly shapes: number[][];
  readonly ort: (...xs: tf.Tensor[]) => tf.Tensor;
  readonly ref: (...xs: tf.Tensor[]) => tf.Tensor;
}

const conv = (stride: number, pads: Pads4, bias: boolean) => ({
  ort: (x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor) => ortConv2d(x, w, bias ? b! : null, stride, pads),
  ref: (x: tf.Tensor, w: tf.Tensor, b?: tf.Tensor) => refConv2d(x, w, bias ? b! : null, stride, pads),
});

const cases: Case[] = [
  { name: 'conv 3×3 s1 p1 + bias', shapes: [[2, 5, 9, 9], [7, 5, 3, 3], [7]], ...conv(1, [1, 1, 1, 1], true) },
  { name: 'conv 3×3 s2 pads b/r only', shapes: [[2, 4, 8, 8], [6, 4, 3, 3]], ...conv(2, [0, 0, 1, 1], false) },
  { name: 'conv 3×3 s2 p1 odd size + bias', shapes: [[2, 3, 9, 7], [5, 3, 3, 3], [5]], ...conv(2, [1, 1, 1, 1], true) },
  { name: 'conv 1×1 + bias', shapes: [[2, 6, 5, 5], [4, 6, 1, 1], [4]], ...conv(1, [0, 0, 0, 0], true) },
  {
    name: 'linear rank 3 + bias',
    shapes: [[2, 5, 6], [7, 6], [7]],
    ort: (x, w, b) => ortLinear(x!, w!, b!),
    ref: (x, w, b) => refLinear(x!, w!, b!),
  },
  {
    name: 'attention 2 heads, Lq≠Lk',
    shapes: [[2, 6, 8], [2, 4, 8], [2, 4, 8]],
    ort: (q, k, v) => ortAttention(q!, k!, v!, 2),
    ref: (q, k, v) => refAttention(q!, k!, v!, 2),
  },
  {
    name: 'groupNorm 4 groups',
    shapes: [[2, 8, 5, 3], [8], [8]],
    ort: (x, g, b) => ortGroupNorm(x!, 4, g!, b!, 1e-5),
    ref: (x, g, b) => refGroupNorm(x!, 4, g!, b!, 1e-5),
  },
  {
    name: 'groupNorm + SiLU fused',
    shapes: [[2, 8, 5, 3], [8], [8]],
    ort: (x, g, b) => ortGroupNormSilu(x!, 2, g!, b!, 1e-5),
    ref: (x, g, b) => {
      const y = refGroupNorm(x!, 2, g!, b!, 1e-5);
      return tf.mul(y, tf.sigmoid(y));
    },
  },
  { name: 'silu', shapes: [[2, 3, 4, 5]], ort: (x) => ortSilu(x!), ref: (x) => tf.mul(x!, tf.sigmoid(x!)) },
  {
    name: 'nearest ×2 upsampling',
    shapes: [[2, 3, 4, 5]],
    ort: (x) => ortUpsample2x(x!),
    // Reference: the heavy: 'tfjs' path (duplicate columns, then rows). (TF.js's ResizeNearestNeighborGrad does not
    // give the 2×2 block sums PyTorch's nearest upsampling has, so it is no reference here.)
    ref: (x) => createTfjsNetOps({ heavy: 'tfjs' }).upsampleNearest2x(x!),
  },
  {
    name: 'concat of 3 along channels',
    shapes: [[2, 3, 4, 4], [2, 1, 4, 4], [2, 2, 4, 4]],
    ort: (a, b, c) => ortConcat([a!, b!, c!], 1),
    ref: (a, b, c) => tf.concat([a!, b!, c!], 1),
  },
];

/** Forward output and the gradient of Σ out·r for every input, as host arrays. */
function evaluate(c: Case, f: (...xs: tf.Tensor[]) => tf.Tensor, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const xs = c.shapes.map((s, i) => tf.tensor(data(s.reduce((a, b) => a * b, 1), seed + i), s));
    // Group-norm gammas around 1, like trained ones.
    const y = f(...xs);
    const r = tf.tensor(data(y.size, seed + 99), y.shape);
    const grads = tf.grads((...ins: tf.Tensor[]) => tf.sum(tf.mul(f(...ins), r)))(xs);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array).map((a) => Float32Array.from(a));
  });
}

function relErr(got: Float32Array, want: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return diff / scale;
}

describe('ORT kernels match TF.js reference ops and gradients', () => {
  for (const runtime of ['cpu', 'wasm'] as const) {
    it(`on the ${runtime} runtime`, async () => {
      await pickTfjsRuntime({ runtime: 'cpu' });
      const want = cases.map((c, i) => evaluate(c, c.ref, 10 * i));
      await pickTfjsRuntime({ runtime });
      registerOrtKernels();
      const before = tf.memory().numTensors;
      cases.forEach((c, i) => {
        const got = evaluate(c, c.ort, 10 * i);
        expect(got.length).toBe(want[i]!.length);
        got.forEach((g, j) => {
          expect(g.length, `${c.name} output ${j} size`).toBe(want[i]![j]!.length);
          expect(relErr(g, want[i]![j]!), `${c.name} ${j === 0 ? 'forward' : `grad of input ${j - 1}`}`).toBeLessThan(1e-4);
        });
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('conv filter gradient by im2col + one GEMM (the alternative to per-tap GEMMs)', () => {
  it('matches the pure-JS cpu gradients', async () => {
    const convCases = cases.filter((c) => c.name.startsWith('conv'));
    await pickTfjsRuntime({ runtime: 'cpu' });
    const want = convCases.map((c, i) => evaluate(c, c.ref, 10 * i));
    await pickTfjsRuntime({ runtime: 'wasm' });
    registerOrtKernels();
    ortKernelSettings.convFilterGrad = 'im2col';
    try {
      convCases.forEach((c, i) => {
        const got = evaluate(c, c.ort, 10 * i);
        got.forEach((g, j) => expect(relErr(g, want[i]![j]!), `${c.name} ${j}`).toBeLessThan(1e-4));
      });
    } finally {
      ortKernelSettings.convFilterGrad = 'taps';
    }
  });
});

describe('nearest ×2 upsampling gradient', () => {
  it('is the 2×2 block sum of dy (PyTorch semantics)', async () => {
    await pickTfjsRuntime({ runtime: 'wasm' });
    registerOrtKernels();
    const dy = data(2 * 4 * 6, 5);
    const g = tf.tidy(() => {
      const r = tf.tensor(dy, [1, 2, 4, 6]);
      return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(ortUpsample2x(x), r)))(tf.zeros([1, 2, 2, 3])).dataSync();
    });
    const at = (c: number, y: number, x: number) => dy[c * 24 + y * 6 + x]!;
    expect(g[1 * 6 + 1 * 3 + 2]).toBeCloseTo(at(1, 2, 4) + at(1, 2, 5) + at(1, 3, 4) + at(1, 3, 5), 6);
  });
});

describe('TF.js-ops conv on wasm (no Conv2DBackpropFilter kernel: filter gradient computed as a conv)', () => {
  it('matches the pure-JS cpu gradients', async () => {
    const convCases = cases.filter((c) => c.name.startsWith('conv'));
    await pickTfjsRuntime({ runtime: 'cpu' });
    const want = convCases.map((c, i) => evaluate(c, c.ref, 10 * i));
    await pickTfjsRuntime({ runtime: 'wasm' });
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    convCases.forEach((c, i) => {
      const got = evaluate(c, c.ref, 10 * i);
      got.forEach((g, j) => expect(relErr(g, want[i]![j]!), `${c.name} ${j}`).toBeLessThan(1e-4));
    });
  });
});
