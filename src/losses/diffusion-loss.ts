/**
 * Diffusion (ε-prediction) loss that trains the fake score: MSE(ε_φ(z_t; t, c), ε) on z_t = α_t·stopgrad(ẑ) + σ_t·ε.
 * Also the teacher pre-training loss of the latent UNet.
 *
 * ```ts
 * const loss = diffusionLoss(epsPred, eps);
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';

/** Mean squared error between predicted and true noise. Scalar. */
export function diffusionLoss(epsPred: tf.Tensor, eps: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.squaredDifference(epsPred, eps)) as tf.Scalar);
}
