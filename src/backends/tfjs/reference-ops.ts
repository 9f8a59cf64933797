/**
 * The heavy NetOps (conv, linear, attention, group norm) written with TF.js built-in ops only — correct on
 * every TF.js runtime, differentiable through TF.js's own gradients. They are the reference the ORT kernels are
 * tested against, and the path taken on runtimes without ORT kernels (tfjs-node).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Pads4 } from './kernels/conv2d-models.js';

/**
 * NHWC conv whose filter gradient is itself a conv ("batch as channels", dilation = stride) — for runtimes that
 * ship no `Conv2DBackpropFilter` kernel (tfjs wasm). dx uses the runtime's `Conv2DBackpropInput`.
 */
function convNhwcFilterGradByConv(stride: number): (x: tf.Tensor4D, f: tf.Tensor4D) => tf.Tensor4D {
  const fn = (x: tf.Tensor, f: tf.Tensor, save: tf.GradSaveFunc) => {
    const x4 = x as tf.Tensor4D;
    const f4 = f as tf.Tensor4D;
    save([x4, f4]);
    const y = tf.conv2d(x4, f4, stride, 'valid');
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, fs] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dy4 = dy as tf.Tensor4D;
        const dx = tf.conv2dTranspose(dy4, fs, xs.shape, stride, 'valid');
        // dW[kh,kw,ci,co] = Σ_n,h,w x[n, h·s+kh, w·s+kw, ci]·dy[n,h,w,co]: x as [ci, H, W, n] ⋆ dy as [h, w, n, co].
        const [kh, kw] = fs.shape;
        const xt = tf.transpose(xs, [3, 1, 2, 0]) as tf.Tensor4D;
        const dyt = tf.transpose(dy4, [1, 2, 0, 3]) as tf.Tensor4D;
        const full = tf.conv2d(xt, dyt, 1, 'valid', 'NHWC', stride); // [ci, kh', kw', co]
        const dw = tf.transpose(tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]), [1, 2, 0, 3]);
        return [dx, dw];
      },
    };
  };
  return tf.customGrad(fn as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (
    x: tf.Tensor4D,
    f: tf.Tensor4D,
  ) => tf.Tensor4D;
}

/** NCHW conv2d with PyTorch weights `[Co, Ci, kh, kw]`, explicit `[top, left, bottom, right]` zero padding. */
export function refConv2d(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null, stride: number, pads: Pads4): tf.Tensor {
  return tf.tidy(() => {
    const [t, l, bo, r] = pads;
    const nhwc = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
    const padded = t || l || bo || r ? tf.pad(nhwc, [[0, 0], [t, bo], [l, r], [0, 0]]) : nhwc;
    const filter = tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D;
    const hasFilterGrad = tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) !== undefined;
    let y: tf.Tensor = hasFilterGrad
      ? tf.conv2d(padded as tf.Tensor4D, filter, stride, 'valid')
      : convNhwcFilterGradByConv(stride)(padded as tf.Tensor4D, filter);
    if (b) y = tf.add(y, b);
    return tf.transpose(y, [0, 3, 1, 2]);
  });
}

/** `x @ wᵀ + b` over the last dimension of x (any rank). */
export function refLinear(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor | null): tf.Tensor {
  return tf.tidy(() => {
    const k = x.shape[x.rank - 1]!;
    const x2 = tf.reshape(x, [-1, k]) as tf.Tensor2D;
    let y: tf.Tensor = tf.matMul(x2, w as tf.Tensor2D, false, true);
    if (b) y = tf.add(y, b);
    return tf.reshape(y, [...x.shape.slice(0, -1), w.shape[0]!]);
  });
}

/** Multi-head scaled-dot-product attention, q `[B, Lq, C]`, k/v `[B, Lk, C]`. */
export function refAttention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, heads: number): tf.Tensor {
  return tf.tidy(() => {
    const [b, lq, c] = q.shape as [number, number, number];
    const lk = k.shape[1]!;
    const d = c / heads;
    const split = (t: tf.Tensor, l: number) => tf.reshape(tf.transpose(tf.reshape(t, [b, l, heads, d]), [0, 2, 1, 3]), [b * heads, l, d]) as tf.Tensor3D;
    const qh = tf.mul(split(q, lq), 1 / Math.sqrt(d)) as tf.Tensor3D;
    const p = tf.softmax(tf.matMul(qh, split(k, lk), false, true));
    const o = tf.matMul(p, split(v, lk));
    return tf.reshape(tf.transpose(tf.reshape(o, [b, heads, lq, d]), [0, 2, 1, 3]), [b, lq, c]);
  });
}

/** GroupNorm over NCHW with per-channel affine. */
export function refGroupNorm(x: tf.Tensor, groups: number, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const [n, c] = x.shape as [number, number];
    const xg = tf.reshape(x, [n, groups, -1]);
    const { mean, variance } = tf.moments(xg, 2, true);
    const xhat = tf.reshape(tf.div(tf.sub(xg, mean), tf.sqrt(tf.add(variance, eps))), x.shape);
    const shape = [1, c, ...x.shape.slice(2).map(() => 1)];
    return tf.add(tf.mul(xhat, tf.reshape(gamma, shape)), tf.reshape(beta, shape));
  });
}
