/** Small helpers for constant initializers in the kernels' ONNX graphs. */
import type { OnnxInitializer } from '../../onnx/onnx-model-desc.js';

/** An int64 vector constant (shapes, axes, slice bounds). */
export function i64(name: string, values: readonly number[]): OnnxInitializer {
  return { name, shape: [values.length], data: BigInt64Array.from(values.map((v) => BigInt(v))) };
}

/** A float32 scalar constant (shape `[]`). */
export function f32Scalar(name: string, value: number): OnnxInitializer {
  return { name, shape: [], data: new Float32Array([value]) };
}
