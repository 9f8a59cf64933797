/**
 * TADSR's blurred MSE (paper eq. 6): MSE(G(x_L) ∗ G_{t_s}, x_H ∗ G_{t_s}) with the Gaussian of
 * {@link blurParamsForTs}. Pixels of both images in the same range (TADSR uses [−1, 1]); NCHW batches with one t_s
 * for the batch or one per sample (each sample blurred with its own kernel, as the official per-sample t_s; the
 * result is the mean over every pixel of the batch, as PyTorch's `F.mse_loss`).
 *
 * ```ts
 * const loss = blurredMse(sr, hq, 500);          // scalar tensor
 * const perSample = blurredMse(sr, hq, [41, 877]); // sample 0 blurred at t_s 41, sample 1 at 877
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { gaussianBlurNCHW } from './blur.js';
import { blurParamsForTs } from './gaussian-kernel.js';

function blurredSquaredError(pred: tf.Tensor4D, target: tf.Tensor4D, tS: number): tf.Tensor {
  const { size, sigma } = blurParamsForTs(tS);
  return tf.squaredDifference(gaussianBlurNCHW(pred, size, sigma), gaussianBlurNCHW(target, size, sigma));
}

/** Mean squared error between the blurred prediction and the blurred target. Scalar. */
export function blurredMse(pred: tf.Tensor4D, target: tf.Tensor4D, tS: number | readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    if (typeof tS === 'number') return tf.mean(blurredSquaredError(pred, target, tS)) as tf.Scalar;
    const B = pred.shape[0];
    if (tS.length !== B) throw new RangeError(`${tS.length} timesteps for a batch of ${B}`);
    // Samples that share a t_s share a kernel: one blur per distinct t_s (a per-batch t_s is one group).
    const groups = new Map<number, number[]>();
    tS.forEach((t, i) => groups.set(t, [...(groups.get(t) ?? []), i]));
    let sum: tf.Tensor = tf.scalar(0);
    for (const [t, idx] of groups) {
      // slice + concat rather than gather: their gradients exist on every TF.js runtime
      const pick = (x: tf.Tensor4D) => (idx.length === B ? x : (tf.concat(idx.map((i) => tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1])), 0) as tf.Tensor4D));
      sum = tf.add(sum, tf.sum(blurredSquaredError(pick(pred), pick(target), t)));
    }
    return tf.div(sum, pred.size) as tf.Scalar;
  });
}
