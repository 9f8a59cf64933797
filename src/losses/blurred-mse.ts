/**
 * TADSR's blurred MSE (paper eq. 6): MSE(G(x_L) ∗ G_{t_s}, x_H ∗ G_{t_s}) with the Gaussian of
 * {@link blurParamsForTs}. Pixels of both images in the same range (TADSR uses [−1, 1]); NCHW batches of one t_s.
 *
 * ```ts
 * const loss = blurredMse(sr, hq, 500); // scalar tensor
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { gaussianBlurNCHW } from './blur.js';
import { blurParamsForTs } from './gaussian-kernel.js';

/** Mean squared error between the blurred prediction and the blurred target. Scalar. */
export function blurredMse(pred: tf.Tensor4D, target: tf.Tensor4D, tS: number): tf.Scalar {
  const { size, sigma } = blurParamsForTs(tS);
  return tf.tidy(() => {
    const a = gaussianBlurNCHW(pred, size, sigma);
    const b = gaussianBlurNCHW(target, size, sigma);
    return tf.mean(tf.squaredDifference(a, b)) as tf.Scalar;
  });
}
