/**
 * Every backend tadsr knows, by name, loaded lazily (so a missing optional runtime costs nothing until asked).
 * Tools that want "all backends present" (`tadsr bench --backends all`) iterate `backendFactories`.
 * Add a backend: one entry below (or `registerBackendFactory` from outside).
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

const loaders = new Map<string, () => Promise<BackendFactory>>([
  ['onnx', async () => (await import('./onnx/factory.js')).onnxFactory],
  ['tfjs', async () => (await import('./tfjs/factory.js')).tfjsFactory],
]);

/** Add (or replace) a backend factory under `name`. */
export function registerBackendFactory(name: string, load: () => Promise<BackendFactory>): void {
  loaders.set(name, load);
}

/** Names of the registered backends. */
export function backendNames(): string[] {
  return [...loaders.keys()];
}

/** A backend name that is not registered (a usage error). */
export class UnknownBackendError extends Error {
  override name = 'UnknownBackendError';
}

/** The factory called `name`, or a usage error naming the known ones. */
export async function backendFactory(name: string): Promise<BackendFactory> {
  const load = loaders.get(name);
  if (load === undefined) throw new UnknownBackendError(`unknown backend "${name}" (known: ${backendNames().join(', ')})`);
  return load();
}

/** Every registered factory that loads here (a backend whose package is missing is skipped, with the reason). */
export async function availableBackendFactories(): Promise<{ factories: BackendFactory[]; skipped: { name: string; reason: string }[] }> {
  const factories: BackendFactory[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const [name, load] of loaders) {
    try {
      factories.push(await load());
    } catch (err) {
      skipped.push({ name, reason: (err as Error).message.split('\n')[0] ?? String(err) });
    }
  }
  return { factories, skipped };
}
