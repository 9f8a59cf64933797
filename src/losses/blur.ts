/**
 * Separable Gaussian blur of an NCHW batch on TF.js, reflect padding (torchvision's `gaussian_blur`).
 * Differentiable: used inside the blurred-MSE loss.
 *
 * Written as two matrix products, Y = B_h · X · B_wᵀ, with the reflect padding folded into the banded matrices
 * `B` — matMul and its gradient exist on every TF.js runtime (the wasm runtime lacks depthwise-conv gradients).
 *
 * ```ts
 * const blurred = gaussianBlurNCHW(x, 13, 3.5); // x: [B, 3, H, W]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { gaussianKernel1d } from './gaussian-kernel.js';

/** Reflect (no edge repeat) index into [0, n). */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  let j = i;
  while (j < 0 || j >= n) j = j < 0 ? -j : 2 * (n - 1) - j;
  return j;
}

/** The n×n matrix of a 1-D blur with reflect padding: out = M · in. */
export function blurMatrix(n: number, kernel: Float32Array): Float32Array {
  const half = (kernel.length - 1) / 2;
  const m = new Float32Array(n * n);
  for (let o = 0; o < n; o++) for (let k = 0; k < kernel.length; k++) m[o * n + reflect(o + k - half, n)] += kernel[k]!;
  return m;
}

/** Blur `x` `[B, C, H, W]` with a `size`×`size` Gaussian of std `sigma`; H and W must exceed size/2. */
export function gaussianBlurNCHW(x: tf.Tensor4D, size: number, sigma: number): tf.Tensor4D {
  const [b, c, h, w] = x.shape;
  const half = (size - 1) / 2;
  if (half >= h || half >= w) {
    throw new RangeError(`blur kernel ${size} needs images larger than ${half} px per side, got ${w}x${h}`);
  }
  const k = gaussianKernel1d(size, sigma);
  return tf.tidy(() => {
    const mh = tf.tensor2d(blurMatrix(h, k), [h, h]);
    const mw = tf.tensor2d(blurMatrix(w, k), [w, w]);
    const rows = tf.reshape(x, [b * c * h, w]);
    const horiz = tf.matMul(rows, mw, false, true); // [bch, w]
    const cols = tf.reshape(tf.transpose(tf.reshape(horiz, [b * c, h, w]), [1, 0, 2]), [h, b * c * w]);
    const vert = tf.matMul(mh, cols); // [h, bcw]
    return tf.reshape(tf.transpose(tf.reshape(vert, [h, b * c, w]), [1, 0, 2]), [b, c, h, w]) as tf.Tensor4D;
  });
}
