/**
 * The blur's edges and guards (src/losses/blur.ts, gaussian-kernel.ts, blurred-mse.ts): reflect padding written
 * out by hand on a tiny matrix, one-pixel axes, images too small for the kernel, bad kernel parameters, and the
 * per-sample blurred MSE against per-sample calls. Mutants that StrykerJS found alive in these lines.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { blurMatrix } from '../../src/losses/blur.js';
import { blurredMse, gaussianBlurNCHW, gaussianKernel1d } from '../../src/losses/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('blurMatrix (reflect padding, no edge repeat)', () => {
  it('folds the taps beyond each edge back onto the mirrored pixels, every row summing to the kernel sum', () => {
    const k = Float32Array.of(0.1, 0.2, 0.4, 0.2, 0.1);
    const m = blurMatrix(4, k);
    // row 0 reads in[-2], in[-1], in[0], in[1], in[2] = in[2], in[1], in[0], in[1], in[2]
    expect(Array.from(m.slice(0, 4)).map((v) => +v.toFixed(6))).toEqual([0.4, 0.4, 0.2, 0]);
    // row 3 reads in[1], in[2], in[3], in[4], in[5] = in[1], in[2], in[3], in[2], in[1]
    expect(Array.from(m.slice(12, 16)).map((v) => +v.toFixed(6))).toEqual([0, 0.2, 0.4, 0.4]);
    for (let r = 0; r < 4; r++) expect(m.slice(r * 4, r * 4 + 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('a one-pixel axis keeps its value (every tap reflects onto it)', () => {
    expect(Array.from(blurMatrix(1, gaussianKernel1d(5, 1)))[0]).toBeCloseTo(1, 6);
  });
});

describe('gaussianBlurNCHW guards', () => {
  const img = (h: number, w: number) => tf.ones([1, 1, h, w]) as tf.Tensor4D;
  it('refuses an image whose height or width is at most half the kernel, and blurs one just larger', () => {
    expect(() => gaussianBlurNCHW(img(2, 9), 5, 1)).toThrow(RangeError);
    expect(() => gaussianBlurNCHW(img(9, 2), 5, 1)).toThrow(RangeError);
    const out = gaussianBlurNCHW(img(3, 3), 5, 1);
    expect(Array.from(out.dataSync()).every((v) => Math.abs(v - 1) < 1e-6)).toBe(true); // a constant stays constant
  });
});

describe('gaussianKernel1d guards', () => {
  it('refuses sizes that are not positive odd integers and σ that is not positive', () => {
    for (const size of [0, -3, 2, 4, 2.5]) expect(() => gaussianKernel1d(size, 1), `size ${size}`).toThrow(/odd/);
    for (const sigma of [0, -1, Number.NaN]) expect(() => gaussianKernel1d(5, sigma), `sigma ${sigma}`).toThrow(/sigma/);
    expect(Array.from(gaussianKernel1d(1, 0.5))).toEqual([1]);
  });
});

describe('blurredMse per sample', () => {
  it('blurs each sample with its own t_s kernel: equals the mean of the per-sample losses', () => {
    const rnd = (seed: number) => tf.tensor4d(Float32Array.from({ length: 2 * 3 * 24 * 24 }, (_, i) => Math.sin(i * 0.37 + seed) * Math.cos(i * 0.011)), [2, 3, 24, 24]);
    const pred = rnd(1);
    const target = rnd(2);
    const both = blurredMse(pred, target, [0, 700]).dataSync()[0]!;
    const one = (i: number, t: number) => blurredMse(tf.slice(pred, [i, 0, 0, 0], [1, 3, 24, 24]) as tf.Tensor4D, tf.slice(target, [i, 0, 0, 0], [1, 3, 24, 24]) as tf.Tensor4D, t).dataSync()[0]!;
    const expected = (one(0, 0) + one(1, 700)) / 2;
    expect(both).toBeCloseTo(expected, 6);
    expect(Math.abs(both - blurredMse(pred, target, 0).dataSync()[0]!)).toBeGreaterThan(1e-4); // t_s matters per sample
    expect(() => blurredMse(pred, target, [0])).toThrow(/timesteps for a batch of 2/);
  });
});
