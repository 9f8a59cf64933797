import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { blurParamsForTs, blurredMse, diffusionLoss, gaussianBlurNCHW, gaussianKernel1d, tavsdLoss, vsdGradient } from '../../src/losses/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('blur kernel', () => {
  it('follows k = 5 + 4⌊t_s/200⌋, σ = 1 + t_s/200', () => {
    expect(blurParamsForTs(0)).toEqual({ size: 5, sigma: 1 });
    expect(blurParamsForTs(199)).toEqual({ size: 5, sigma: 1.995 });
    expect(blurParamsForTs(500)).toEqual({ size: 13, sigma: 3.5 });
    expect(blurParamsForTs(999).size).toBe(21);
  });
  it('matches torchvision/numpy values', () => {
    const ref = [0.05448868454964294, 0.24420134200323332, 0.4026199468942474, 0.24420134200323332, 0.05448868454964294];
    Array.from(gaussianKernel1d(5, 1)).forEach((v, i) => expect(v).toBeCloseTo(ref[i], 6));
    expect(() => gaussianKernel1d(4, 1)).toThrow(/odd/);
  });
  it('blurs with reflect padding like scipy mode=mirror', () => {
    const h = 10;
    const w = 12;
    const data = new Float32Array(h * w);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = ((y * 7 + x * 3) % 11) / 10;
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(data, [1, 1, h, w]);
    const out = gaussianBlurNCHW(x, 13, 3.5);
    const v = out.dataSync();
    expect(v[0]).toBeCloseTo(0.5133234036139529, 5);
    expect(v[4 * w + 5]).toBeCloseTo(0.5012094772098019, 5);
    expect(v[9 * w + 11]).toBeCloseTo(0.516609083390154, 5);
    tf.dispose([x, out]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('losses', () => {
  it('blurred MSE is zero for equal images and ignores high frequencies more at larger t_s', () => {
    const base = tf.randomUniform([1, 3, 32, 32], -1, 1, 'float32', 1) as tf.Tensor4D;
    const checker = tf.tensor4d(Float32Array.from({ length: 3 * 32 * 32 }, (_, i) => ((i + Math.floor(i / 32)) % 2 ? 0.2 : -0.2)), [1, 3, 32, 32]);
    const noisy = tf.add(base, checker) as tf.Tensor4D;
    expect(blurredMse(base, base, 500).dataSync()[0]).toBe(0);
    const small = blurredMse(noisy, base, 0).dataSync()[0];
    const large = blurredMse(noisy, base, 800).dataSync()[0];
    expect(small).toBeGreaterThan(large);
    expect(large).toBeGreaterThan(0);
    tf.dispose([base, checker, noisy]);
  });

  it('TAVSD has gradient 2·grad/N in ẑ with the official per-sample normalisation', () => {
    const z = tf.randomNormal([2, 4, 3, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const teacher = tf.randomNormal([2, 4, 3, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const fake = tf.randomNormal([2, 4, 3, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const g = tf.grad((zz: tf.Tensor) => tavsdLoss(zz as tf.Tensor4D, teacher, fake))(z);
    const expected = vsdGradient(z, teacher, fake);
    const n = z.size;
    const gv = g.dataSync();
    const ev = expected.dataSync();
    for (let i = 0; i < n; i++) expect(gv[i]).toBeCloseTo((2 * ev[i]) / n, 6);
    // normaliser: per sample mean |z - teacher|
    const zv = z.dataSync();
    const tv = teacher.dataSync();
    const fv = fake.dataSync();
    const per = n / 2;
    let m = 0;
    for (let i = 0; i < per; i++) m += Math.abs(zv[i] - tv[i]);
    m /= per;
    expect(ev[0]).toBeCloseTo((fv[0] - tv[0]) / m, 5);
    tf.dispose([g, expected]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([z, teacher, fake]);
  });

  it('diffusion loss is the ε MSE', () => {
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.tensor1d([1, 0, 0]);
    expect(diffusionLoss(a, b).dataSync()[0]).toBeCloseTo(13 / 3, 6);
    tf.dispose([a, b]);
  });
});
