/**
 * A factory for TF.js kernels computed by one cached ONNX Runtime session: describe the ONNX inputs, the
 * outputs' shapes, a cache key and the model; get a KernelConfig for a backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelBackend, KernelConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import type { OnnxModelDesc } from '../../onnx/onnx-model-desc.js';
import { runCached } from '../ort/ort-op-cache.js';
import { withKernelIo } from './tensor-access.js';

/** How one ORT-computed kernel maps TF.js inputs to an ONNX graph. */
export interface OrtKernelSpec<A> {
  readonly kernelName: string;
  /** Present inputs, in ONNX input order, as `[onnxName, tensor]`. */
  inputs(inputs: Readonly<Record<string, TensorInfo | undefined>>, attrs: A): [string, TensorInfo][];
  /** Outputs, in kernel output order, as `[onnxName, shape]`. */
  outputs(inputs: readonly [string, TensorInfo][], attrs: A): [string, number[]][];
  /** Cache key part beyond the kernel name and input shapes (attributes). */
  attrKey(attrs: A): string;
  model(inputs: readonly [string, TensorInfo][], attrs: A): OnnxModelDesc;
}

/** Build the KernelConfig of `spec` for `backendName` (single-output kernels return one TensorInfo). */
export function ortKernelConfig<A>(spec: OrtKernelSpec<A>, backendName: string): KernelConfig {
  return {
    kernelName: spec.kernelName,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const a = attrs as unknown as A;
      const ins = spec.inputs(inputs as Record<string, TensorInfo | undefined>, a);
      const outs = spec.outputs(ins, a);
      const key = `${spec.kernelName}|${ins.map(([n, t]) => `${n}${t.shape.join('x')}`).join(',')}|${spec.attrKey(a)}`;
      const result = withKernelIo(
        backend as KernelBackend,
        ins.map(([, t]) => t),
        outs.map(([, s]) => s),
        (inViews, outViews) => {
          runCached(
            key,
            () => spec.model(ins, a),
            Object.fromEntries(ins.map(([n, t], i) => [n, { data: inViews[i]!, shape: t.shape }])),
            Object.fromEntries(outs.map(([n, s], i) => [n, { data: outViews[i]!, shape: s }])),
          );
        },
      );
      return result.length === 1 ? result[0]! : result;
    },
  };
}

/**
 * The gradient of `kernelName` computed by one call of its fused backward kernel `gradKernelName`, which takes
 * the saved inputs plus `dy` and returns the gradients of `gradOf` in that order (trailing ones may be absent,
 * e.g. no bias gradient when the op has no bias).
 *
 * @example
 * export const attentionGradConfig = fusedGradConfig(OrtAttention, OrtAttentionGrad, ['q', 'k', 'v']);
 */
export function fusedGradConfig(
  kernelName: string,
  gradKernelName: string,
  inputsToSave: readonly string[],
  gradOf: readonly string[] = inputsToSave,
): GradConfig {
  return {
    kernelName,
    inputsToSave: [...inputsToSave],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const inputs: Record<string, Tensor> = Object.fromEntries(inputsToSave.map((n, i) => [n, saved[i]!]));
      const r = tf.engine().runKernel(gradKernelName, { ...inputs, dy: dy as Tensor }, attrs) as Tensor | Tensor[];
      const grads = Array.isArray(r) ? r : [r];
      return Object.fromEntries(grads.map((g, i) => [gradOf[i]!, () => g]));
    },
  };
}

/** Narrow kernel attrs to a typed record (tfjs types them loosely). */
export function attrsOf<A>(a: A): NamedAttrMap {
  return a as unknown as NamedAttrMap;
}
