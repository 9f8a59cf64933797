/**
 * Every backend tadsr knows, by name, loaded lazily (so a missing optional runtime costs nothing until asked).
 * Tools that want "all backends present" (`tadsr bench --backends all`) iterate `backendFactories`.
 * Add a backend: one entry below (or `registerBackendFactory` from outside).
 */
import type { BackendFactory } from './backend-factory.js';

export type { BackendFactory } from './backend-factory.js';

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
