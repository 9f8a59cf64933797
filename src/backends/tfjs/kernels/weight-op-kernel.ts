/**
 * What the ORT kernels of weight ops with an optional bias (conv2d, linear) share: forward inputs x, w[, b];
 * a fused backward kernel x, w, dy → dx, dw[, db]; and the gradient that calls it once.
 */
import type { GradConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { fusedGradConfig } from './ort-kernel.js';

/** Attributes every weight op has: whether a bias input is present. */
export interface WeightOpAttrs {
  readonly hasBias: boolean;
}

type KernelInputs = Readonly<Record<string, TensorInfo | undefined>>;

/** Forward ONNX inputs: `x`, `w`, and `b` when the op has a bias. */
export function weightOpInputs({ x, w, b }: KernelInputs, a: WeightOpAttrs): [string, TensorInfo][] {
  return [['x', x!], ['w', w!], ...(a.hasBias ? [['b', b!] as [string, TensorInfo]] : [])];
}

/** Backward ONNX inputs: `x`, `w`, `dy`. */
export function weightGradInputs({ x, w, dy }: KernelInputs): [string, TensorInfo][] {
  return [['x', x!], ['w', w!], ['dy', dy!]];
}

/** Backward ONNX outputs: `dx` shaped as x, `dw` as w, and `db` ([w.shape[0]]) when the op has a bias. */
export function weightGradOutputs([[, x], [, w]]: readonly [string, TensorInfo][], a: WeightOpAttrs): [string, number[]][] {
  return [['dx', [...x!.shape]], ['dw', [...w!.shape]], ...(a.hasBias ? [['db', [w!.shape[0]!]] as [string, number[]]] : [])];
}

/**
 * The gradient of weight op `kernelName`: one call of its backward kernel `gradKernelName` gives dx, dw and
 * (with a bias) db.
 *
 * @example
 * export const linearGradConfig = weightOpGradConfig(OrtLinear, OrtLinearGrad);
 */
export function weightOpGradConfig(kernelName: string, gradKernelName: string): GradConfig {
  return fusedGradConfig(kernelName, gradKernelName, ['x', 'w'], ['x', 'w', 'b']);
}
