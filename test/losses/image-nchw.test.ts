import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { createImage } from '../../src/image.js';
import { imageToNchw } from '../../src/losses/image-nchw.js';
import { imageToTensor } from '../../src/operators/tensor-image.js';

describe('imageToNchw', () => {
  it('puts pixel (x, y, c) at [0, c, y, x] as 2v − 1, as the host conversion the networks take does', async () => {
    await tf.setBackend('cpu');
    const w = 5;
    const h = 3;
    const img = createImage(w, h, new Float32Array(w * h * 3).map((_, i) => (i * 7 % 11) / 10));
    const t = imageToNchw(img);
    expect(t.shape).toEqual([1, 3, h, w]);
    const d = t.dataSync();
    expect(d[(2 * h + 1) * w + 4]).toBeCloseTo(2 * img.data[(1 * w + 4) * 3 + 2]! - 1, 6);
    const host = imageToTensor(img);
    expect(Array.from(d)).toEqual(Array.from(host.data).map((v) => Math.fround(v)));
    t.dispose();
  });
});
