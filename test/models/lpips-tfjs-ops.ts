/**
 * TF.js NetOps for the LPIPS tests. The ops LPIPS added to NetOps (relu, maxPool2d, sqrt, div, addScalar,
 * reduceMean) are filled in here when the TF.js backend's `createTfjsNetOps` does not provide them yet — a tiny
 * shim, used only where missing, so the tests exercise the backend's own versions once they exist.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createTfjsNetOps } from '../../src/backends/tfjs/tfjs-net-ops.js';
import type { NetOps } from '../../src/models/net-ops.js';

export const LPIPS_SHIM: Pick<NetOps<tf.Tensor>, 'relu' | 'maxPool2d' | 'sqrt' | 'div' | 'addScalar' | 'reduceMean'> = {
  relu: (x) => tf.relu(x),
  maxPool2d: (x, k, s) =>
    tf.tidy(() => tf.transpose(tf.maxPool(tf.transpose(x as tf.Tensor4D, [0, 2, 3, 1]), k, s ?? k, 'valid'), [0, 3, 1, 2])),
  sqrt: (x) => tf.sqrt(x),
  div: (a, b) => tf.div(a, b),
  addScalar: (x, s) => tf.add(x, s),
  reduceMean: (x, axes) => tf.mean(x, [...axes], true),
};

/** The backend's ops, with the shim only for what it lacks; `shimmed` lists the filled names. */
export function lpipsTfjsOps(heavy: 'tfjs' | 'ort' = 'tfjs'): { ops: NetOps<tf.Tensor>; shimmed: string[] } {
  const base = createTfjsNetOps({ heavy }) as Partial<NetOps<tf.Tensor>>;
  const shimmed = (Object.keys(LPIPS_SHIM) as (keyof typeof LPIPS_SHIM)[]).filter((k) => typeof base[k] !== 'function');
  return { ops: { ...LPIPS_SHIM, ...base } as NetOps<tf.Tensor>, shimmed };
}
