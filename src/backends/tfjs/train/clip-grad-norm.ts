/**
 * Global-norm gradient clipping (PyTorch `clip_grad_norm_`): with N = √(Σ‖g‖²), every gradient is scaled by
 * min(1, maxNorm / (N + 1e-6)).
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Clip gradients by their global L2 norm. Returns new gradient tensors (the caller disposes the inputs) and the
 * norm before clipping.
 *
 * @example
 * const { grads: clipped, norm } = clipGradNorm(grads, 1.0);
 */
export function clipGradNorm(
  grads: Readonly<Record<string, tf.Tensor>>,
  maxNorm: number,
): { grads: Record<string, tf.Tensor>; norm: number } {
  const names = Object.keys(grads);
  const norm = tf.tidy(() => {
    const sq = names.map((n) => tf.sum(tf.square(grads[n]!)));
    return sq.length === 0 ? 0 : Math.sqrt(tf.addN(sq).dataSync()[0]!);
  });
  const coef = Math.min(1, maxNorm / (norm + 1e-6));
  const out: Record<string, tf.Tensor> = {};
  for (const n of names) out[n] = coef === 1 ? tf.clone(grads[n]!) : tf.mul(grads[n]!, coef);
  return { grads: out, norm };
}
