/**
 * TF.js kernels (ORT-computed) for SiLU, nearest ×2 upsampling and concat, with gradients. On the wasm and cpu
 * runtimes TF.js's own versions are slow where it matters here (JS loops for strided slices and concats,
 * single-threaded elementwise ops); ORT does them multi-threaded in one call each.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import {
  OrtConcat,
  OrtSilu,
  OrtSiluGrad,
  OrtSplit,
  OrtUpsample2x,
  OrtUpsample2xGrad,
  type ConcatAttrs,
} from './kernel-names.js';
import { attrsOf, fusedGradConfig, ortKernelConfig } from './ort-kernel.js';
import {
  concatModel,
  siluBackwardModel,
  siluForwardModel,
  splitModel,
  upsampleBackwardModel,
  upsampleForwardModel,
} from './shape-op-models.js';

const none = () => '';

/** Kernel configs for one tfjs backend. */
export function shapeOpKernelConfigs(backendName: string): KernelConfig[] {
  return [
    ortKernelConfig<object>(
      { kernelName: OrtSilu, inputs: ({ x }) => [['x', x!]], outputs: ([[, x]]) => [['y', [...x.shape]]], attrKey: none, model: ([[, x]]) => siluForwardModel(x.shape) },
      backendName,
    ),
    ortKernelConfig<object>(
      {
        kernelName: OrtSiluGrad,
        inputs: ({ x, dy }) => [['x', x!], ['dy', dy!]],
        outputs: ([[, x]]) => [['dx', [...x.shape]]],
        attrKey: none,
        model: ([[, x]]) => siluBackwardModel(x.shape),
      },
      backendName,
    ),
    ortKernelConfig<object>(
      {
        kernelName: OrtUpsample2x,
        inputs: ({ x }) => [['x', x!]],
        outputs: ([[, x]]) => [['y', [x.shape[0]!, x.shape[1]!, 2 * x.shape[2]!, 2 * x.shape[3]!]]],
        attrKey: none,
        model: ([[, x]]) => upsampleForwardModel(x.shape),
      },
      backendName,
    ),
    ortKernelConfig<object>(
      {
        kernelName: OrtUpsample2xGrad,
        inputs: ({ dy }) => [['dy', dy!]],
        outputs: ([[, dy]]) => [['dx', [dy.shape[0]!, dy.shape[1]!, dy.shape[2]! / 2, dy.shape[3]! / 2]]],
        attrKey: none,
        model: ([[, dy]]) => upsampleBackwardModel([dy.shape[0]!, dy.shape[1]!, dy.shape[2]! / 2, dy.shape[3]! / 2]),
      },
      backendName,
    ),
    ortKernelConfig<ConcatAttrs>(
      {
        kernelName: OrtConcat,
        inputs: (ins, a) => a.sizes.map((_, i) => [`x${i}`, ins[`x${i}`]!] as [string, TensorInfo]),
        outputs: (ins, a) => {
          const out = [...ins[0]![1].shape];
          out[a.axis] = a.sizes.reduce((s, v) => s + v, 0);
          return [['y', out]];
        },
        attrKey: (a) => `a${a.axis}`,
        model: (ins, a) => concatModel(ins.map(([, t]) => t.shape), a.axis),
      },
      backendName,
    ),
    ortKernelConfig<ConcatAttrs>(
      {
        kernelName: OrtSplit,
        inputs: ({ dy }) => [['dy', dy!]],
        outputs: ([[, dy]], a) =>
          a.sizes.map((s, i) => {
            const o = [...dy.shape];
            o[a.axis] = s;
            return [`y${i}`, o] as [string, number[]];
          }),
        attrKey: (a) => `a${a.axis}s${a.sizes.join(',')}`,
        model: ([[, dy]], a) => splitModel(dy.shape, a.axis, a.sizes),
      },
      backendName,
    ),
  ];
}

export const siluGradConfig: GradConfig = fusedGradConfig(OrtSilu, OrtSiluGrad, ['x']);

export const upsampleGradConfig: GradConfig = {
  kernelName: OrtUpsample2x,
  gradFunc: (dy: Tensor | Tensor[]) => ({
    x: () => tf.engine().runKernel(OrtUpsample2xGrad, { dy: dy as Tensor }, {}) as Tensor,
  }),
};

export const concatGradConfig: GradConfig = {
  kernelName: OrtConcat,
  gradFunc: (dy: Tensor | Tensor[], _saved: Tensor[], attrs: NamedAttrMap) => {
    const a = attrs as unknown as ConcatAttrs;
    const r = tf.engine().runKernel(OrtSplit, { dy: dy as Tensor }, attrs);
    const parts = (Array.isArray(r) ? r : [r]) as Tensor[];
    return Object.fromEntries(a.sizes.map((_, i) => [`x${i}`, () => parts[i]!]));
  },
};

/** SiLU computed by ORT, differentiable. */
export function ortSilu(x: Tensor): Tensor {
  return tf.engine().runKernel(OrtSilu, { x }, {}) as Tensor;
}

/** Nearest ×2 upsampling of NCHW computed by ORT, differentiable. */
export function ortUpsample2x(x: Tensor): Tensor {
  return tf.engine().runKernel(OrtUpsample2x, { x }, {}) as Tensor;
}

/** Concatenation computed by ORT (gradient: one ORT Split), differentiable. */
export function ortConcat(xs: readonly Tensor[], axis: number): Tensor {
  const ax = axis < 0 ? xs[0]!.rank + axis : axis;
  if (xs.length === 1) return tf.clone(xs[0]!);
  const inputs = Object.fromEntries(xs.map((x, i) => [`x${i}`, x]));
  return tf.engine().runKernel(OrtConcat, inputs, attrsOf<ConcatAttrs>({ axis: ax, sizes: xs.map((x) => x.shape[ax]!) })) as Tensor;
}
