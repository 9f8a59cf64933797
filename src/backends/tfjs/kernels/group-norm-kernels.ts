/** TF.js kernels for NCHW GroupNorm computed by ONNX Runtime, with gradient. */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { groupNormBackwardModel, groupNormForwardModel, type GroupNormShape } from './group-norm-models.js';
import { OrtGroupNorm, OrtGroupNormGrad, type GroupNormAttrs } from './kernel-names.js';
import { attrsOf, fusedGradConfig, ortKernelConfig } from './ort-kernel.js';

function shape(x: TensorInfo, a: GroupNormAttrs): GroupNormShape {
  if (x.shape.length !== 4) throw new Error(`groupNorm: x must be NCHW, got ${JSON.stringify(x.shape)}`);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  return { n, c, h, w, groups: a.groups, eps: a.eps };
}
const attrKey = (a: GroupNormAttrs) => `g${a.groups}e${a.eps}${a.silu ? 'silu' : ''}`;

/** Kernel configs for one tfjs backend. */
export function groupNormKernelConfigs(backendName: string): KernelConfig[] {
  return [
    ortKernelConfig<GroupNormAttrs>(
      {
        kernelName: OrtGroupNorm,
        inputs: ({ x, gamma, beta }) => [['x', x!], ['gamma', gamma!], ['beta', beta!]],
        outputs: ([[, x]]) => [['y', [...x.shape]]],
        attrKey,
        model: ([[, x]], a) => groupNormForwardModel(shape(x, a), a.silu),
      },
      backendName,
    ),
    ortKernelConfig<GroupNormAttrs>(
      {
        kernelName: OrtGroupNormGrad,
        inputs: ({ x, gamma, beta, dy }, a) => [
          ['x', x!],
          ['gamma', gamma!],
          ...(a.silu ? [['beta', beta!] as [string, TensorInfo]] : []),
          ['dy', dy!],
        ],
        outputs: ([[, x], [, g]]) => [
          ['dx', [...x.shape]],
          ['dgamma', [...g.shape]],
          ['dbeta', [...g.shape]],
        ],
        attrKey,
        model: ([[, x]], a) => groupNormBackwardModel(shape(x, a), a.silu),
      },
      backendName,
    ),
  ];
}

/** Gradient of OrtGroupNorm (statistics recomputed in the backward graph). */
export const groupNormGradConfig: GradConfig = fusedGradConfig(OrtGroupNorm, OrtGroupNormGrad, ['x', 'gamma', 'beta']);

/**
 * GroupNorm over NCHW with per-channel affine, computed by ONNX Runtime, differentiable.
 *
 * @example
 * const y = ortGroupNorm(x, 32, gamma, beta, 1e-5);
 */
export function ortGroupNorm(x: Tensor, groups: number, gamma: Tensor, beta: Tensor, eps: number): Tensor {
  return tf.engine().runKernel(OrtGroupNorm, { x, gamma, beta }, attrsOf<GroupNormAttrs>({ groups, eps, silu: false })) as Tensor;
}

/**
 * `silu(groupNorm(x))` in one ORT kernel (and one for its gradient), differentiable.
 *
 * @example
 * const h = ortGroupNormSilu(x, 32, gamma, beta, 1e-5);
 */
export function ortGroupNormSilu(x: Tensor, groups: number, gamma: Tensor, beta: Tensor, eps: number): Tensor {
  return tf.engine().runKernel(OrtGroupNorm, { x, gamma, beta }, attrsOf<GroupNormAttrs>({ groups, eps, silu: true })) as Tensor;
}
