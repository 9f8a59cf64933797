/** The TF.js backend's registry entry: variants are the TF.js runtimes present, fastest first. */
import type { BackendFactory } from '../backend-factory.js';
import { TFJS_RUNTIMES, type TfjsRuntimeName } from './runtime.js';
import { createTfjsBackend } from './tfjs-backend.js';

async function present(name: TfjsRuntimeName): Promise<boolean> {
  if (name === 'wasm' || name === 'cpu') return true;
  try {
    await import(`@tensorflow/${name}`);
    return true;
  } catch {
    return false;
  }
}

export const tfjsFactory: BackendFactory = {
  name: 'tfjs',
  variants: async () => {
    const out: string[] = [];
    for (const r of TFJS_RUNTIMES) if (await present(r)) out.push(r);
    return out;
  },
  create: (spec, weights, opts = {}) => {
    const v = opts.variant;
    if (v !== undefined && !(TFJS_RUNTIMES as readonly string[]).includes(v)) {
      throw new Error(`tfjs: unknown variant "${v}" (${TFJS_RUNTIMES.join(', ')})`);
    }
    return createTfjsBackend(spec, weights, { runtime: v as TfjsRuntimeName | undefined });
  },
};
