/**
 * The perceptual term of a training loss (distillation and VAE pre-training): LPIPS weights read from a
 * safetensors file by path, held as TF.js constants, mean distance over the batch inside the tape.
 *
 * Two kinds of file, told apart by their tensor names:
 * - ST-LPIPS, AlexNet or VGG trunk (`models/stlpips/*.safetensors`, made by tools/convert_stlpips.py; the blur
 *   buffers `net.slice*.*.filt` mark them) — src/models/stlpips.ts;
 * - LPIPS-VGG v0.1 (tools/convert_lpips.py) — src/models/lpips.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadLpipsWeights, lpipsVgg } from '../../models/lpips.js';
import type { NetOps } from '../../models/net-ops.js';
import { SafetensorsFile } from '../../models/safetensors.js';
import { loadStLpipsWeights, stLpips, stLpipsNetOf } from '../../models/stlpips.js';
import { TrainError } from './train-error.js';

/** mean LPIPS(a, b) over the batch; a, b NCHW in [−1, 1]. */
export type Perceptual = (a: tf.Tensor, b: tf.Tensor) => tf.Scalar;

/** Which perceptual network a weights file holds. */
export type PerceptualKind = 'stlpips-alex' | 'stlpips-vgg' | 'lpips-vgg';

/** The kind of perceptual network in a safetensors file, from its tensor names (throws if unreadable). */
export async function perceptualKind(path: string): Promise<PerceptualKind> {
  const f = await SafetensorsFile.open(path);
  try {
    const net = stLpipsNetOf(f.entries.keys());
    return net ? `stlpips-${net}` : 'lpips-vgg';
  } finally {
    await f.close();
  }
}

/**
 * Load ST-LPIPS or LPIPS-VGG weights (kind detected from the file; errors name the file and how to make it);
 * `dispose` releases the constants.
 */
export async function loadPerceptual(
  ops: NetOps<tf.Tensor>,
  path: string,
): Promise<{ readonly fn: Perceptual; readonly dispose: () => void; readonly kind: PerceptualKind }> {
  const fail = (err: unknown): never => {
    throw new TrainError(
      `lpipsWeights ${path}: ${(err as Error).message} (convert ST-LPIPS with tools/convert_stlpips.py or LPIPS-VGG with tools/convert_lpips.py, or remove "lpipsWeights")`,
    );
  };
  const kind = await perceptualKind(path).catch(fail);
  if (kind === 'lpips-vgg') {
    const lp = await loadLpipsWeights(path).catch(fail);
    const consts = new Map([...lp.weights].map(([k, v]) => [k, tf.tensor(v.data, [...v.shape])]));
    return {
      kind,
      fn: (a, b) => tf.mean(lpipsVgg(ops, (n) => consts.get(n)!, lp.spec, a, b)) as tf.Scalar,
      dispose: () => tf.dispose([...consts.values()]),
    };
  }
  const st = await loadStLpipsWeights(path).catch(fail);
  const consts = new Map([...st.weights].map(([k, v]) => [k, tf.tensor(v.data, [...v.shape])]));
  return {
    kind,
    fn: (a, b) => tf.mean(stLpips(ops, (n) => consts.get(n)!, st.spec, a, b)) as tf.Scalar,
    dispose: () => tf.dispose([...consts.values()]),
  };
}
