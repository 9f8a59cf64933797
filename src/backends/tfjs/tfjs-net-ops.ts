/**
 * `NetOps<tf.Tensor>`: the TF.js implementation of the op set every network is written against (NCHW,
 * PyTorch weight layouts). Eager, so `tf.grad`/`tf.variableGrads` differentiate whole networks.
 *
 * Heavy ops (and SiLU, upsampling, concat, whose TF.js versions are slow on wasm/cpu) go to ONNX Runtime kernels (`heavy: 'ort'`, the default on the `cpu`/`wasm` runtimes) or to TF.js
 * built-ins (`heavy: 'tfjs'`, the reference and the tfjs-node path). Elementwise ops are TF.js's.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NetOps } from '../../models/net-ops.js';
import { blur2dNchw, padReflectNchw } from './blur-ops.js';
import { ortAttention } from './kernels/attention-kernels.js';
import type { Pads4 } from './kernels/conv2d-models.js';
import { ortConv2d } from './kernels/conv2d-kernels.js';
import { ortGroupNorm, ortGroupNormSilu } from './kernels/group-norm-kernels.js';
import { ortLinear } from './kernels/linear-kernels.js';
import { registerOrtKernels } from './kernels/register.js';
import { ortConcat, ortSilu, ortUpsample2x } from './kernels/shape-op-kernels.js';
import { refAttention, refConv2d, refGroupNorm, refLinear } from './reference-ops.js';

export interface TfjsNetOpsOptions {
  /** Where conv / linear / attention / group norm run: ONNX Runtime kernels or TF.js built-ins. */
  readonly heavy?: 'ort' | 'tfjs';
}

/**
 * diffusers `get_timestep_embedding` frequencies, rounded as PyTorch's float32 computation rounds them.
 */
function timestepFrequencies(half: number, shift: number): Float32Array {
  const f = new Float32Array(half);
  const logMax = Math.fround(-Math.log(10000));
  for (let i = 0; i < half; i++) f[i] = Math.exp(Math.fround(Math.fround(logMax * i) / (half - shift)));
  return f;
}

/**
 * Create the TF.js op set. With `heavy: 'ort'` the ORT kernels are registered for the active backend.
 *
 * @example
 * await pickTfjsRuntime();
 * const ops = createTfjsNetOps();                 // heavy ops on ORT
 * const y = unetForward(ops, params, inputs);     // any network written against NetOps
 */
export function createTfjsNetOps(opts: TfjsNetOpsOptions = {}): NetOps<tf.Tensor> {
  const heavy = opts.heavy ?? 'ort';
  if (heavy === 'ort') registerOrtKernels();
  const conv = heavy === 'ort' ? ortConv2d : refConv2d;
  const linear = heavy === 'ort' ? ortLinear : refLinear;
  const attention = heavy === 'ort' ? ortAttention : refAttention;
  const groupNorm = heavy === 'ort' ? ortGroupNorm : refGroupNorm;
  return {
    conv2d: (x, w, b, o = {}) => {
      const p = o.padding ?? 0;
      const pads: Pads4 = o.pads ?? [p, p, p, p];
      return conv(x, w, b, o.stride ?? 1, pads);
    },
    linear: (x, w, b) => linear(x, w, b),
    groupNorm: (x, groups, gamma, beta, eps) => groupNorm(x, groups, gamma, beta, eps),
    groupNormSilu:
      heavy === 'ort'
        ? ortGroupNormSilu
        : (x, groups, gamma, beta, eps) =>
            tf.tidy(() => {
              const y = refGroupNorm(x, groups, gamma, beta, eps);
              return tf.mul(y, tf.sigmoid(y));
            }),
    layerNorm: (x, gamma, beta, eps) =>
      tf.tidy(() => {
        const { mean, variance } = tf.moments(x, -1, true);
        return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), gamma), beta);
      }),
    silu: heavy === 'ort' ? ortSilu : (x) => tf.tidy(() => tf.mul(x, tf.sigmoid(x))),
    gelu: (x) => tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))))),
    add: (a, b) => tf.add(a, b),
    sub: (a, b) => tf.sub(a, b),
    mul: (a, b) => tf.mul(a, b),
    scale: (x, s) => tf.mul(x, s),
    expandSpatial: (x) => tf.reshape(x, [...x.shape, 1, 1]),
    perSample: (x, v) => tf.tidy(() => tf.mul(x, tf.reshape(v, [v.shape[0]!, ...new Array<number>(x.rank - 1).fill(1)]))),
    toTokens: (x) =>
      tf.tidy(() => {
        const [b, c, h, w] = x.shape as [number, number, number, number];
        return tf.transpose(tf.reshape(x, [b, c, h * w]), [0, 2, 1]);
      }),
    fromTokens: (t, like) =>
      tf.tidy(() => {
        const [b, , h, w] = like.shape as [number, number, number, number];
        return tf.reshape(tf.transpose(t, [0, 2, 1]), [b, t.shape[2]!, h, w]);
      }),
    attention: (q, k, v, heads) => attention(q, k, v, heads),
    upsampleNearest2x:
      heavy === 'ort'
        ? ortUpsample2x
        : (x) =>
            tf.tidy(() => {
              const [b, c, h, w] = x.shape as [number, number, number, number];
              // Duplicate columns, then rows, with rank ≤ 4 concats (TF.js has no Tile gradient above rank 4).
              const cols = tf.reshape(x, [b * c * h, w, 1]);
              const wide = tf.reshape(tf.concat([cols, cols], 2), [b * c, h, 1, 2 * w]);
              return tf.reshape(tf.concat([wide, wide], 2), [b, c, 2 * h, 2 * w]);
            }),
    concat: heavy === 'ort' ? (xs, axis) => ortConcat(xs, axis) : (xs, axis) => tf.concat([...xs], axis),
    split: (x, axis, parts) => tf.split(x, parts, axis),
    timestepEmbedding: (t, dim, flipSinToCos, shift) =>
      tf.tidy(() => {
        const half = Math.floor(dim / 2);
        const freqs = tf.tensor1d(timestepFrequencies(half, shift));
        const args = tf.mul(tf.reshape(tf.cast(t, 'float32'), [-1, 1]), tf.reshape(freqs, [1, half]));
        const parts = flipSinToCos ? [tf.cos(args), tf.sin(args)] : [tf.sin(args), tf.cos(args)];
        let emb = tf.concat(parts, 1);
        if (dim % 2 === 1) emb = tf.pad(emb, [[0, 0], [0, 1]]);
        return emb;
      }),
    relu: (x) => tf.relu(x),
    tanh: (x) => tf.tanh(x),
    maxPool2d: (x, kernel, stride = kernel) =>
      tf.tidy(() => {
        const nhwc = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
        return tf.transpose(tf.maxPool(nhwc, kernel, stride, 'valid'), [0, 3, 1, 2]);
      }),
    sqrt: (x) => tf.sqrt(x),
    div: (a, b) => tf.div(a, b),
    addScalar: (x, s) => tf.add(x, s),
    reduceMean: (x, axes) => tf.mean(x, [...axes], true),
    embedding: (table, ids) => tf.tidy(() => tf.gather(table, tf.cast(ids, 'int32'), 0)),
    positions: (ids) => tf.tidy(() => tf.reshape(tf.range(0, ids.shape[1]!, 1, 'float32'), [1, ids.shape[1]!])),
    causalAttention: (q, k, v, heads) =>
      tf.tidy(() => {
        const [b, l, c] = q.shape as [number, number, number];
        const d = c / heads;
        const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [b, t.shape[1]!, heads, d]), [0, 2, 1, 3]);
        const scores = tf.mul(tf.matMul(split(q) as tf.Tensor4D, split(k) as tf.Tensor4D, false, true), 1 / Math.sqrt(d));
        // keys after the query: float32's lowest value (transformers' causal mask)
        const future = tf.sub(1, tf.linalg.bandPart(tf.ones([l, l]), -1, 0));
        const masked = tf.add(tf.mul(scores, tf.sub(1, future)), tf.mul(future, -3.4028234663852886e38));
        const out = tf.matMul(tf.softmax(masked), split(v) as tf.Tensor4D);
        return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [b, l, c]);
      }),
    padReflect: (x, pads) => padReflectNchw(x, pads),
    blur2d: (x, _channels, taps, stride) => blur2dNchw(x, taps, stride),
  };
}

