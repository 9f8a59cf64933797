/**
 * A sample of the VAE's diagonal Gaussian posterior on TF.js, differentiable in the moments: diffusers'
 * `DiagonalGaussianDistribution.sample()` — z = μ + exp(½·clamp(log σ², −30, 20))·n with n ~ N(0, 1) given.
 * The official TADSR student encodes with `latent_dist.sample()` in training.
 *
 * ```ts
 * const z = posteriorSample(ops, vaeEncode(ops, spec.vae, p, x), noise); // noise: same shape as the mean
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NetOps } from '../../models/net-ops.js';
import { posteriorLogVar, posteriorMean } from '../../models/vae.js';

export function posteriorSample(ops: NetOps<tf.Tensor>, moments: tf.Tensor, noise: tf.Tensor): tf.Tensor {
  const mean = posteriorMean(ops, moments);
  const logvar = tf.clipByValue(posteriorLogVar(ops, moments), -30, 20);
  return tf.add(mean, tf.mul(tf.exp(tf.mul(logvar, 0.5)), noise));
}
