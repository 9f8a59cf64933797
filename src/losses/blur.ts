/**
 * Separable Gaussian blur of an NCHW batch on TF.js, reflect padding (torchvision's `gaussian_blur`).
 * Differentiable: used inside the blurred-MSE loss.
 *
 * ```ts
 * const blurred = gaussianBlurNCHW(x, 13, 3.5); // x: [B, 3, H, W]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { gaussianKernel1d } from './gaussian-kernel.js';

/** Blur `x` `[B, C, H, W]` with a `size`×`size` Gaussian of std `sigma`; H and W must exceed size/2. */
export function gaussianBlurNCHW(x: tf.Tensor4D, size: number, sigma: number): tf.Tensor4D {
  const [, c, h, w] = x.shape;
  const half = (size - 1) / 2;
  if (half >= h || half >= w) {
    throw new RangeError(`blur kernel ${size} needs images larger than ${half} px per side, got ${w}x${h}`);
  }
  const k = gaussianKernel1d(size, sigma);
  return tf.tidy(() => {
    const nhwc = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
    const padded = tf.mirrorPad(nhwc, [[0, 0], [half, half], [half, half], [0, 0]], 'reflect');
    // depthwise filters: [fh, fw, C, 1]
    const kh = tf.tile(tf.tensor4d(k, [size, 1, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const kw = tf.tile(tf.tensor4d(k, [1, size, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const vert = tf.depthwiseConv2d(padded, kh, 1, 'valid');
    const both = tf.depthwiseConv2d(vert, kw, 1, 'valid');
    return tf.transpose(both, [0, 3, 1, 2]) as tf.Tensor4D;
  });
}
