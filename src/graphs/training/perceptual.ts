/**
 * The LPIPS-VGG perceptual term of a training loss (distillation and VAE pre-training): weights read from a
 * safetensors file by path, held as TF.js constants, mean LPIPS over the batch inside the tape.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadLpipsWeights, lpipsVgg } from '../../models/lpips.js';
import type { NetOps } from '../../models/net-ops.js';
import { TrainError } from './train-error.js';

/** mean LPIPS(a, b) over the batch; a, b NCHW in [−1, 1]. */
export type Perceptual = (a: tf.Tensor, b: tf.Tensor) => tf.Scalar;

/** Load LPIPS weights (errors name the file and how to make it); `dispose` releases the constants. */
export async function loadPerceptual(ops: NetOps<tf.Tensor>, path: string): Promise<{ readonly fn: Perceptual; readonly dispose: () => void }> {
  const lp = await loadLpipsWeights(path).catch((err: unknown) => {
    throw new TrainError(`lpipsWeights ${path}: ${(err as Error).message} (convert them with tools/convert_lpips.py, or remove "lpipsWeights")`);
  });
  const consts = new Map([...lp.weights].map(([k, v]) => [k, tf.tensor(v.data, [...v.shape])]));
  return {
    fn: (a, b) => tf.mean(lpipsVgg(ops, (n) => consts.get(n)!, lp.spec, a, b)) as tf.Scalar,
    dispose: () => tf.dispose([...consts.values()]),
  };
}
