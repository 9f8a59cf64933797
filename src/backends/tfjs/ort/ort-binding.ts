/**
 * Synchronous access to onnxruntime-node's native session — a PRIVATE API of onnxruntime-node 1.22.0
 * (`dist/binding.js` → `bin/napi-v6/<platform>/<arch>/onnxruntime_binding.node`).
 *
 * Why: a TF.js kernel or gradient must return synchronously, and the public `InferenceSession.run` is async
 * (it only defers the same blocking native call with `setImmediate`). Calling the native session directly runs
 * ONNX Runtime's CPU kernels (~70 % of this machine's peak for conv) inside a synchronous TF.js op.
 *
 * The shape of that API is pinned by test/backends/tfjs/ort-binding.test.ts, which fails loudly if an
 * onnxruntime-node upgrade changes it. Keep onnxruntime-node pinned to an exact version in package.json.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The onnxruntime-node version this file was written against. */
export const PINNED_ORT_VERSION = '1.22.0';

/** A tensor as the native binding takes and returns it (shape of onnxruntime-common's `Tensor`). */
export interface NativeTensor {
  readonly type: 'float32' | 'int64';
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}

/** The subset of session options this project passes (public `InferenceSession.SessionOptions` names). */
export interface NativeSessionOptions {
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  readonly executionMode?: 'sequential' | 'parallel';
  readonly enableCpuMemArena?: boolean;
  readonly enableMemPattern?: boolean;
  /** Session config entries as onnxruntime-node nests them, e.g. `{ session: { intra_op: { allow_spinning: '0' } } }`. */
  readonly extra?: Record<string, unknown>;
}

/** The native session object (`new binding.InferenceSession()`). */
export interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: NativeSessionOptions): void;
  readonly inputNames?: readonly string[];
  readonly outputNames?: readonly string[];
  run(
    feeds: Record<string, NativeTensor>,
    fetches: Record<string, NativeTensor | null>,
    options: Record<string, unknown>,
  ): Record<string, NativeTensor>;
  dispose(): void;
}

interface BindingModule {
  binding: { InferenceSession: new () => NativeSession };
  initOrt(): void;
}

interface OrtCommon {
  Tensor: new (type: string, data: Float32Array | BigInt64Array, dims: readonly number[]) => NativeTensor;
}

let cached: { binding: BindingModule; common: OrtCommon } | undefined;

function load(): { binding: BindingModule; common: OrtCommon } {
  if (cached) return cached;
  const version = (require('onnxruntime-node/package.json') as { version: string }).version;
  if (version !== PINNED_ORT_VERSION) {
    throw new Error(
      `onnxruntime-node ${version} found, but the synchronous ORT kernels use its private binding as of ` +
        `${PINNED_ORT_VERSION}; pin onnxruntime-node@${PINNED_ORT_VERSION} or re-check src/backends/tfjs/ort/ort-binding.ts`,
    );
  }
  const binding = require('onnxruntime-node/dist/binding.js') as BindingModule;
  if (typeof binding.binding?.InferenceSession !== 'function' || typeof binding.initOrt !== 'function') {
    throw new Error('onnxruntime-node private binding changed: InferenceSession / initOrt not found');
  }
  binding.initOrt();
  const common = require('onnxruntime-common') as OrtCommon;
  cached = { binding, common };
  return cached;
}

/**
 * Create a native session from ONNX model bytes, synchronously.
 *
 * @example
 * const s = createNativeSession(encodeOnnxModel(desc), { intraOpNumThreads: 2 });
 * const out = s.run({ x: nativeTensor(data, [2, 3]) }, { y: null }, {});
 */
export function createNativeSession(model: Uint8Array, options: NativeSessionOptions): NativeSession {
  const { binding } = load();
  const session = new binding.binding.InferenceSession();
  session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, options);
  return session;
}

/** Wrap host data as a tensor the native binding accepts (no copy). */
export function nativeTensor(data: Float32Array, dims: readonly number[]): NativeTensor {
  const { common } = load();
  return new common.Tensor('float32', data, dims);
}
