/**
 * How to make one kind of backend: the entry each backend folder exports (`onnx/factory.ts`, `tfjs/factory.ts`)
 * and `registry.ts` lists by name. It is its own file so that the factories and the registry, which loads them,
 * do not import each other.
 *
 * ```ts
 * const f: BackendFactory = await backendFactory('onnx');
 * const backend = await f.create(spec, weights, { variant: (await f.variants())[0] });
 * ```
 */
import type { ModelWeights } from '../models/params.js';
import type { ModelSpec } from '../models/specs.js';
import type { Backend } from './backend.js';

/** How to make one kind of backend, and which variants of it (runtimes, devices) this machine has. */
export interface BackendFactory {
  /** e.g. `onnx`, `tfjs`. */
  readonly name: string;
  /**
   * Variants available here, fastest first, e.g. `['cuda', 'cpu']` for ONNX Runtime with CUDA, `['wasm', 'cpu']`
   * for TF.js. Empty: none is usable on this machine.
   */
  variants(): Promise<readonly string[]>;
  /** Whether `variant` may be asked for by name even when `variants()` leaves it out (e.g. a software GPU). */
  accepts?(variant: string): boolean;
  /** A backend for `spec` + `weights` running on `variant` (default: the first of `variants()`). */
  create(spec: ModelSpec, weights: ModelWeights, opts?: { readonly variant?: string }): Promise<Backend>;
}
