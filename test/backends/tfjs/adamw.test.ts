/**
 * AdamW against its formula, step by step (decoupled weight decay, bias correction), and global-norm clipping
 * against PyTorch's definition.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pickTfjsRuntime } from '../../../src/backends/tfjs/runtime.js';
import { AdamW } from '../../../src/backends/tfjs/train/adamw.js';
import { clipGradNorm } from '../../../src/backends/tfjs/train/clip-grad-norm.js';

beforeAll(async () => {
  await pickTfjsRuntime({ runtime: 'cpu' });
});

/** The AdamW update written out in float64 for one scalar parameter. */
function adamwReference(p0: number, grads: number[], o: { lr: number; b1: number; b2: number; eps: number; wd: number }): number[] {
  let p = p0;
  let m = 0;
  let v = 0;
  const out: number[] = [];
  grads.forEach((g, i) => {
    const t = i + 1;
    p = p - o.lr * o.wd * p;
    m = o.b1 * m + (1 - o.b1) * g;
    v = o.b2 * v + (1 - o.b2) * g * g;
    const mhat = m / (1 - o.b1 ** t);
    const vhat = v / (1 - o.b2 ** t);
    p = p - (o.lr * mhat) / (Math.sqrt(vhat) + o.eps);
    out.push(p);
  });
  return out;
}

describe('AdamW', () => {
  it('follows the formula step by step, with bias correction and decoupled decay', () => {
    const o = { lr: 0.1, b1: 0.8, b2: 0.95, eps: 1e-3, wd: 0.5 };
    const p0 = [1.5, -2, 0.25];
    const gradSeq = [
      [0.3, -1, 2],
      [-0.5, 0.2, 0.1],
      [1, 1, -3],
      [0, 0.5, 0.5],
    ];
    const w = tf.variable(tf.tensor1d(p0), true, 'adamw-test-w');
    const frozen = tf.variable(tf.tensor1d([7]), true, 'adamw-test-frozen');
    const vars = new Map([
      ['w', w],
      ['frozen', frozen],
    ]);
    const opt = new AdamW(vars, { lr: o.lr, beta1: o.b1, beta2: o.b2, eps: o.eps, weightDecay: o.wd });
    const want = p0.map((p, i) => adamwReference(p, gradSeq.map((g) => g[i]!), o));
    gradSeq.forEach((g, step) => {
      const grad = tf.tensor1d(g);
      opt.apply({ w: grad }); // no gradient for `frozen`: left untouched
      grad.dispose();
      const got = Array.from(w.dataSync());
      got.forEach((x, i) => expect(x).toBeCloseTo(want[i]![step]!, 5));
    });
    expect(opt.step).toBe(4);
    expect(frozen.dataSync()[0]).toBe(7);
    // the first step's size is ≈ lr (bias correction), not lr·(1−β1)/√(1−β2)
    expect(Math.abs(want[0]![0]! - p0[0]! * (1 - o.lr * o.wd))).toBeGreaterThan(0.09);
    opt.dispose();
    w.dispose();
    frozen.dispose();
  });

  it('clips the global norm before the update, returns the norm before clipping; minimize = gradients + apply', () => {
    const w = tf.variable(tf.tensor1d([0, 0]), true, 'adamw-test-clip');
    const opt = new AdamW(new Map([['w', w]]), { lr: 0.1, eps: 1, weightDecay: 0, maxGradNorm: 1 });
    const g = tf.tensor1d([3, 4]);
    expect(opt.apply({ w: g })).toBeCloseTo(5, 5);
    // step 1: m̂ = g_c, v̂ = g_c², update = g_c/(|g_c| + ε) with g_c = g·1/(5 + 1e-6)
    const gc = [3 / (5 + 1e-6), 4 / (5 + 1e-6)];
    Array.from(w.dataSync()).forEach((x, i) => expect(x).toBeCloseTo((-0.1 * gc[i]!) / (Math.abs(gc[i]!) + 1), 6));
    const before = tf.memory().numTensors;
    const { loss, gradNorm } = opt.minimize(() => tf.sum(tf.square(w)) as tf.Scalar);
    expect(tf.memory().numTensors).toBe(before);
    expect(loss).toBeCloseTo(Array.from(w.dataSync()).reduce((a, x) => a + x * x, 0), 2);
    expect(gradNorm).toBeGreaterThan(0);
    expect(opt.step).toBe(2);
    g.dispose();
    opt.dispose();
    w.dispose();
  });

  it('state round-trips (resume)', () => {
    const w = tf.variable(tf.tensor1d([1, 2]), true, 'adamw-test-state');
    const opt = new AdamW(new Map([['w', w]]), { lr: 0.01 });
    const g = tf.tensor1d([0.5, -0.5]);
    opt.apply({ w: g });
    const s = opt.state();
    const opt2 = new AdamW(new Map([['w', w]]), { lr: 0.01 });
    opt2.load(s);
    expect(opt2.step).toBe(1);
    expect(Array.from(opt2.state().get('w.m')!.data)).toEqual(Array.from(s.get('w.m')!.data));
    g.dispose();
    opt.dispose();
    opt2.dispose();
    w.dispose();
  });
});

describe('clipGradNorm', () => {
  it('scales by maxNorm / (norm + 1e-6) only when above maxNorm', () => {
    const a = tf.tensor1d([3, 0]);
    const b = tf.tensor2d([[0, 4]]);
    const { grads, norm } = clipGradNorm({ a, b }, 1);
    expect(norm).toBeCloseTo(5, 6);
    const coef = 1 / (5 + 1e-6);
    expect(grads['a']!.dataSync()[0]).toBeCloseTo(3 * coef, 6);
    expect(grads['b']!.dataSync()[1]).toBeCloseTo(4 * coef, 6);
    const kept = clipGradNorm({ a, b }, 10);
    expect(Array.from(kept.grads['a']!.dataSync())).toEqual([3, 0]);
    for (const t of [a, b, ...Object.values(grads), ...Object.values(kept.grads)]) t.dispose();
  });
});
