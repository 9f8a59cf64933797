/**
 * The image tensor every loss takes: an {@link RgbImage} (HWC, [0, 1]) as a TF.js NCHW `[1, 3, H, W]` float32
 * tensor in [−1, 1]. The loss operator and the training graphs (distillation and pretraining) build their
 * batches with it, so the convention is written once, beside the losses that rely on it.
 *
 * ```ts
 * const x = tf.concat(images.map((im) => imageToNchw(im)), 0);   // [B, 3, H, W] in [−1, 1]
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RgbImage } from '../image.js';

/** RGB image in [0, 1] → NCHW `[1, 3, H, W]` tensor in [−1, 1] (the caller disposes it). */
export function imageToNchw(img: RgbImage): tf.Tensor4D {
  return tf.tidy(() => {
    const hwc = tf.tensor3d(img.data, [img.height, img.width, 3]);
    return tf.expandDims(tf.sub(tf.mul(tf.transpose(hwc, [2, 0, 1]), 2), 1), 0) as tf.Tensor4D;
  });
}
