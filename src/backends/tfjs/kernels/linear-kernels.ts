/** TF.js kernels for PyTorch Linear computed by ONNX Runtime, with gradient. Any-rank x (flattened to 2-D). */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { linearBackwardModel, linearForwardModel } from './linear-models.js';
import { OrtLinear, OrtLinearGrad, type LinearAttrs } from './kernel-names.js';
import { attrsOf, ortKernelConfig } from './ort-kernel.js';
import { weightGradInputs, weightGradOutputs, weightOpGradConfig, weightOpInputs } from './weight-op-kernel.js';

const dims = (x: TensorInfo, w: TensorInfo) => ({ m: x.shape[0]!, k: x.shape[1]!, o: w.shape[0]! });
const attrKey = (a: LinearAttrs) => (a.hasBias ? 'b' : '');

/** Kernel configs for one tfjs backend. */
export function linearKernelConfigs(backendName: string): KernelConfig[] {
  return [
    ortKernelConfig<LinearAttrs>(
      {
        kernelName: OrtLinear,
        inputs: weightOpInputs,
        outputs: ([[, x], [, w]]) => [['y', [x.shape[0]!, w.shape[0]!]]],
        attrKey,
        model: ([[, x], [, w]], a) => linearForwardModel(dims(x, w), a.hasBias),
      },
      backendName,
    ),
    ortKernelConfig<LinearAttrs>(
      {
        kernelName: OrtLinearGrad,
        inputs: weightGradInputs,
        outputs: weightGradOutputs,
        attrKey,
        model: ([[, x], [, w]], a) => linearBackwardModel(dims(x, w), a.hasBias),
      },
      backendName,
    ),
  ];
}

/** Gradient of OrtLinear (one ORT call for dx, dw, db). */
export const linearGradConfig: GradConfig = weightOpGradConfig(OrtLinear, OrtLinearGrad);

/**
 * `x @ wᵀ + b` over the last dimension of x (any rank), computed by ONNX Runtime, differentiable.
 *
 * @example
 * const y = ortLinear(tokens, w, b); // tokens [B, L, K], w [O, K] → [B, L, O]
 */
export function ortLinear(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  return tf.tidy(() => {
    const k = x.shape[x.rank - 1]!;
    const x2 = x.rank === 2 ? x : tf.reshape(x, [-1, k]);
    const inputs: Record<string, Tensor> = b ? { x: x2, w, b } : { x: x2, w };
    const y = tf.engine().runKernel(OrtLinear, inputs, attrsOf<LinearAttrs>({ hasBias: b !== null })) as Tensor;
    return x.rank === 2 ? y : tf.reshape(y, [...x.shape.slice(0, -1), w.shape[0]!]);
  });
}
