/**
 * A cache of tiny ONNX Runtime sessions, one per (op, static shapes, attributes). Each session runs one small
 * ONNX graph (a conv, its backward, an attention block, …) synchronously through the native binding.
 */
import { availableParallelism } from 'node:os';
import { encodeOnnxModel, type OnnxModelDesc } from '../../onnx/onnx-model-desc.js';
import { createNativeSession, nativeTensor, type NativeSession, type NativeSessionOptions } from './ort-binding.js';

/** Settings shared by every cached session. */
export interface OrtKernelSettings {
  /** Intra-op threads (default: all cores). */
  threads: number;
  /** Let ORT worker threads spin after a parallel section (ORT default: true). Off frees the core for JS. */
  spinning: boolean;
  /** Conv filter gradient: one GEMM per kernel tap, or im2col + one GEMM (see kernels/conv2d-models.ts). */
  convFilterGrad: 'taps' | 'im2col';
}

/** Mutable global settings; sessions are cached per settings, so a change applies to the next kernel call. */
export const ortKernelSettings: OrtKernelSettings = { threads: availableParallelism(), spinning: false, convFilterGrad: 'taps' };

const sessions = new Map<string, NativeSession>();

/** Number of cached sessions (for tests and reports). */
export function ortSessionCount(): number {
  return sessions.size;
}

/** Release every cached session. */
export function clearOrtSessions(): void {
  for (const s of sessions.values()) s.dispose();
  sessions.clear();
}

function sessionOptions(): NativeSessionOptions & { extra: Record<string, unknown> } {
  return {
    intraOpNumThreads: ortKernelSettings.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    extra: { session: { intra_op: { allow_spinning: ortKernelSettings.spinning ? '1' : '0' } } },
  };
}

/** Input/output buffers of one run: host views (on the wasm heap or plain arrays) with their shapes. */
export interface OrtIo {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/**
 * Run the cached session for `key` (building it from `build()` on first use), feeding `inputs` and writing the
 * outputs into the given pre-allocated buffers (no copies on the way out).
 *
 * @example
 * runCached('relu[2,3]', () => reluDesc, { x: { data, shape: [2, 3] } }, { y: { data: out, shape: [2, 3] } });
 */
export function runCached(
  key: string,
  build: () => OnnxModelDesc,
  inputs: Readonly<Record<string, OrtIo>>,
  outputs: Readonly<Record<string, OrtIo>>,
): void {
  const { threads, spinning, convFilterGrad } = ortKernelSettings;
  const fullKey = `${key}#t${threads}${spinning ? 's' : ''}${convFilterGrad}`;
  let session = sessions.get(fullKey);
  if (!session) {
    session = createNativeSession(encodeOnnxModel(build()), sessionOptions());
    sessions.set(fullKey, session);
  }
  const feeds: Record<string, ReturnType<typeof nativeTensor>> = {};
  for (const [name, io] of Object.entries(inputs)) feeds[name] = nativeTensor(io.data, io.shape);
  const fetches: Record<string, ReturnType<typeof nativeTensor>> = {};
  for (const [name, io] of Object.entries(outputs)) fetches[name] = nativeTensor(io.data, io.shape);
  const result = session.run(feeds, fetches, {});
  // The binding writes into pre-allocated fetches; guard against a binding that returns fresh buffers instead.
  for (const [name, io] of Object.entries(outputs)) {
    const got = result[name];
    if (!got) throw new Error(`ORT kernel ${key}: output ${name} missing`);
    if (got.data !== io.data && (got.data.buffer !== io.data.buffer || got.data.byteOffset !== io.data.byteOffset)) {
      io.data.set(got.data as Float32Array);
    }
  }
}
