/**
 * Backend-agnostic access to tensor memory inside a kernel: a zero-copy Float32Array view of an input and a
 * freshly allocated output with its view — on the pure-JS `cpu` backend (plain arrays) and on `wasm` (views of
 * the wasm heap). This is what lets ONNX Runtime read and write TF.js tensors in place.
 *
 * Rule on wasm: allocate all outputs BEFORE taking input views (growing the heap detaches older views).
 */
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

interface CpuLike {
  data: { get(id: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values?: Float32Array): TensorInfo;
}
interface WasmLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

function isWasm(b: KernelBackend): boolean {
  return typeof (b as unknown as Partial<WasmLike>).typedArrayFromHeap === 'function';
}

/** A zero-copy float32 view of a kernel input. */
export function inputView(backend: KernelBackend, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`ORT kernels take float32 tensors, got ${info.dtype}`);
  if (isWasm(backend)) return (backend as unknown as WasmLike).typedArrayFromHeap(info);
  const values = (backend as unknown as CpuLike).data.get(info.dataId).values;
  if (!(values instanceof Float32Array)) throw new Error('cpu tensor without float32 values');
  return values;
}

/** A new float32 kernel output of `shape`; returns its info (what the kernel returns) and a writable view. */
export function allocOutput(backend: KernelBackend, shape: readonly number[]): { info: TensorInfo; data: Float32Array } {
  const s = [...shape];
  if (isWasm(backend)) {
    const w = backend as unknown as WasmLike;
    const info = w.makeOutput(s, 'float32');
    return { info, data: w.typedArrayFromHeap(info) };
  }
  const size = s.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  return { info: (backend as unknown as CpuLike).makeTensorInfo(s, 'float32', data), data };
}

/**
 * Allocate outputs, then view inputs, then call `compute` — the safe order on wasm.
 *
 * @example
 * return withKernelIo(backend, [x, w], [yShape], ([xv, wv], [y]) => runCached(…, { x: { data: xv, … } }, …));
 */
export function withKernelIo(
  backend: KernelBackend,
  inputs: readonly TensorInfo[],
  outputShapes: readonly (readonly number[])[],
  compute: (inputs: Float32Array[], outputs: Float32Array[]) => void,
): TensorInfo[] {
  const outs = outputShapes.map((s) => allocOutput(backend, s));
  const ins = inputs.map((t) => inputView(backend, t));
  compute(
    ins,
    outs.map((o) => o.data),
  );
  return outs.map((o) => o.info);
}
