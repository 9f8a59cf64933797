/**
 * Reflection padding and the separable depthwise blur of ST-LPIPS's BlurPool (NetOps `padReflect`, `blur2d`) for
 * TF.js, as plain loops over the tensors' data with hand-written gradients (`tf.customGrad`).
 *
 * Why not TF.js ops: `tf.mirrorPad`'s gradient (tfjs-core 4.22 MirrorPad_grad) only slices the centre of dy and
 * drops what the mirrored borders received; the wasm runtime has no depthwise-conv backprop kernel; and a
 * composition of slice / reshape / reverse / concat is exact but its strided slices run element by element on the
 * cpu runtime (minutes for one 256² ST-LPIPS step). Each op here is one pass over its input, forward and backward.
 */
import * as tf from '@tensorflow/tfjs-core';

type Shape4 = [number, number, number, number];

/** `tf.customGrad` for one input (its typing wants a variadic signature). */
function customGrad1(fn: (x: tf.Tensor) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor) => tf.Tensor }): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad(fn as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;
}

const reflect = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);

/** The input index each output row/column of a reflect pad reads. */
function reflectIndex(before: number, n: number, out: number): Int32Array {
  const idx = new Int32Array(out);
  for (let i = 0; i < out; i++) idx[i] = reflect(i - before, n);
  return idx;
}

/** NCHW reflection padding `[top, left, bottom, right]` (PyTorch ReflectionPad2d), differentiable. */
export function padReflectNchw(x: tf.Tensor, pads: readonly [number, number, number, number]): tf.Tensor {
  const [t, l, b, r] = pads;
  const [n, c, h, w] = x.shape as Shape4;
  if (t >= h || b >= h || l >= w || r >= w) throw new Error(`padReflect: pads [${pads}] must be smaller than the input's H×W ${h}×${w}`);
  const ho = h + t + b;
  const wo = w + l + r;
  const rows = reflectIndex(t, h, ho);
  const cols = reflectIndex(l, w, wo);
  const planes = n * c;
  const f = customGrad1((input: tf.Tensor) => {
    const src = input.dataSync() as Float32Array;
    const out = new Float32Array(planes * ho * wo);
    for (let p = 0; p < planes; p++) {
      const si = p * h * w;
      let o = p * ho * wo;
      for (let i = 0; i < ho; i++) {
        const row = si + rows[i]! * w;
        for (let j = 0; j < wo; j++) out[o++] = src[row + cols[j]!]!;
      }
    }
    return {
      value: tf.tensor(out, [n, c, ho, wo]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const dx = new Float32Array(planes * h * w);
        for (let p = 0; p < planes; p++) {
          const si = p * h * w;
          let o = p * ho * wo;
          for (let i = 0; i < ho; i++) {
            const row = si + rows[i]! * w;
            for (let j = 0; j < wo; j++) dx[row + cols[j]!] += g[o++]!;
          }
        }
        return tf.tensor(dx, [n, c, h, w]);
      },
    };
  });
  return f(x);
}

/**
 * `y[n,c,i,j] = Σ_u,v taps[u]·taps[v]·x[n,c,i·s+u,j·s+v]` (no padding; PyTorch grouped conv with the filter
 * `taps ⊗ taps`), as a row pass then a column pass; differentiable.
 */
export function blur2dNchw(x: tf.Tensor, taps: readonly number[], stride: number): tf.Tensor {
  const [n, c, h, w] = x.shape as Shape4;
  const k = taps.length;
  const ho = Math.floor((h - k) / stride) + 1;
  const wo = Math.floor((w - k) / stride) + 1;
  if (ho < 1 || wo < 1) throw new Error(`blur2d: input ${h}×${w} is smaller than the ${k}×${k} filter`);
  const planes = n * c;
  const tp = Float64Array.from(taps);
  const f = customGrad1((input: tf.Tensor) => {
    const src = input.dataSync() as Float32Array;
    const tmp = new Float32Array(h * wo); // one plane, blurred along W
    const out = new Float32Array(planes * ho * wo);
    for (let p = 0; p < planes; p++) {
      const si = p * h * w;
      for (let i = 0; i < h; i++) {
        const row = si + i * w;
        for (let j = 0; j < wo; j++) {
          let s = 0;
          const base = row + j * stride;
          for (let v = 0; v < k; v++) s += tp[v]! * src[base + v]!;
          tmp[i * wo + j] = s;
        }
      }
      const so = p * ho * wo;
      for (let i = 0; i < ho; i++) {
        for (let j = 0; j < wo; j++) {
          let s = 0;
          for (let u = 0; u < k; u++) s += tp[u]! * tmp[(i * stride + u) * wo + j]!;
          out[so + i * wo + j] = s;
        }
      }
    }
    return {
      value: tf.tensor(out, [n, c, ho, wo]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const dtmp = new Float32Array(h * wo);
        const dx = new Float32Array(planes * h * w);
        for (let p = 0; p < planes; p++) {
          dtmp.fill(0);
          const so = p * ho * wo;
          for (let i = 0; i < ho; i++) {
            for (let j = 0; j < wo; j++) {
              const d = g[so + i * wo + j]!;
              for (let u = 0; u < k; u++) dtmp[(i * stride + u) * wo + j] += tp[u]! * d;
            }
          }
          const si = p * h * w;
          for (let i = 0; i < h; i++) {
            const row = si + i * w;
            for (let j = 0; j < wo; j++) {
              const d = dtmp[i * wo + j]!;
              const base = row + j * stride;
              for (let v = 0; v < k; v++) dx[base + v] += tp[v]! * d;
            }
          }
        }
        return tf.tensor(dx, [n, c, h, w]);
      },
    };
  });
  return f(x);
}
