/**
 * (Time-aware) variational score distillation loss in the authors' form (OSEDiff / TADSR code):
 *
 *   grad = (x0_fake − x0_teacher) / mean_{C,H,W} |ẑ − x0_teacher|        (per sample)
 *   loss = MSE(ẑ, stopgrad(ẑ − grad))                                    so ∂loss/∂ẑ ∝ grad
 *
 * x0_teacher and x0_fake are the DDPM x0 predictions of the frozen teacher (with CFG) and of the fake score at
 * the noised latent ẑ_{t_v}; both are constants here. What makes it *time-aware* is only which t_v the caller
 * noised at (t_v = λ·t_s + γ); plain VSD draws t_v uniformly.
 *
 * ```ts
 * const loss = tavsdLoss(zHat, x0Teacher, x0Fake);
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';

/** Small floor under the per-sample normaliser so identical predictions do not divide by zero. */
const NORM_EPS = 1e-8;

/** The official VSD gradient, per sample normalised; a constant tensor `[B, C, H, W]`. */
export function vsdGradient(zHat: tf.Tensor4D, x0Teacher: tf.Tensor4D, x0Fake: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const norm = tf.maximum(tf.mean(tf.abs(tf.sub(zHat, x0Teacher)), [1, 2, 3], true), NORM_EPS);
    return tf.div(tf.sub(x0Fake, x0Teacher), norm) as tf.Tensor4D;
  });
}

/** MSE(ẑ, stopgrad(ẑ − grad)). Differentiable in `zHat` only. Scalar. */
export function tavsdLoss(zHat: tf.Tensor4D, x0Teacher: tf.Tensor4D, x0Fake: tf.Tensor4D): tf.Scalar {
  return tf.tidy(() => {
    const target = tf.tidy(() => {
      const g = vsdGradient(zHat, x0Teacher, x0Fake);
      // A fresh tensor from the data: no gradient flows into the target.
      const stopped = tf.sub(zHat, g);
      return tf.tensor(stopped.dataSync(), stopped.shape);
    });
    return tf.mean(tf.squaredDifference(zHat, target)) as tf.Scalar;
  });
}
