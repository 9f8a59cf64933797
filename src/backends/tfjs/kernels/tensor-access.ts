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

/** A zero-copy float32 view of a kernel input (or of an output just allocated). */
export function inputView(backend: KernelBackend, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`ORT kernels take float32 tensors, got ${info.dtype}`);
  if (isWasm(backend)) return (backend as unknown as WasmLike).typedArrayFromHeap(info);
  const values = (backend as unknown as CpuLike).data.get(info.dataId).values;
  if (!(values instanceof Float32Array)) throw new Error('cpu tensor without float32 values');
  return values;
}

/** A new float32 kernel output of `shape` (no view yet: take views only after every allocation). */
function allocOutputInfo(backend: KernelBackend, shape: readonly number[]): TensorInfo {
  const s = [...shape];
  if (isWasm(backend)) return (backend as unknown as WasmLike).makeOutput(s, 'float32');
  const size = s.reduce((a, b) => a * b, 1);
  return (backend as unknown as CpuLike).makeTensorInfo(s, 'float32', new Float32Array(size));
}

/**
 * Allocate every output, then take views of outputs and inputs, then call `compute` — the safe order on wasm
 * (allocating may grow the heap, which detaches views taken before).
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
  const outs = outputShapes.map((s) => allocOutputInfo(backend, s));
  const outViews = outs.map((o) => inputView(backend, o));
  const ins = inputs.map((t) => inputView(backend, t));
  compute(ins, outViews);
  return outs;
}
