/**
 * Pick the TF.js runtime: tfjs-node-gpu > tfjs-node > wasm > cpu (pure JS), the fastest one present, and say
 * which and why. The optional native packages are detected with a dynamic import (they cannot install on every
 * machine and are never required dependencies).
 *
 * Heavy ops (conv, matmul, attention, group norm) are computed by ONNX Runtime kernels (./kernels) on the
 * `wasm` and `cpu` runtimes — see ./kernels/README in the doc of `registerOrtKernels`.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import './register-gradients.js';

const require = createRequire(import.meta.url);

/** The TF.js runtimes this project knows, fastest first. */
export const TFJS_RUNTIMES = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type TfjsRuntimeName = (typeof TFJS_RUNTIMES)[number];

/** What was picked. */
export interface TfjsRuntime {
  /** Runtime name. */
  readonly name: TfjsRuntimeName;
  /** The tfjs backend name now active (`tensorflow`, `wasm`, `cpu`). */
  readonly backend: string;
  /** Why / how it runs, e.g. `wasm: SIMD, 1 thread (Node gets no wasm threads)`. */
  readonly detail: string;
  /** Runtimes that were tried and not available, with the reason. */
  readonly skipped: readonly string[];
}

export interface PickRuntimeOptions {
  /** Force one runtime (else env `TADSR_TFJS_RUNTIME`, else the fastest present). */
  readonly runtime?: TfjsRuntimeName;
}

async function tryNative(pkg: string): Promise<boolean> {
  try {
    await import(pkg);
    return true;
  } catch {
    return false;
  }
}

let wasmRegistered = false;

async function setUpWasm(): Promise<string> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!wasmRegistered) {
    // In Node the emscripten loader resolves .wasm files relative to a path prefix; point it at the package's dist.
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${dist}/`);
    wasmRegistered = true;
  }
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('tfjs wasm backend failed to initialise');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threads = wasm.getThreadsCount();
  return `wasm: ${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'} (Node gets no wasm threads)`;
}

async function setUpCpu(): Promise<string> {
  await import('@tensorflow/tfjs-backend-cpu');
  const ok = await tf.setBackend('cpu');
  if (!ok) throw new Error('tfjs cpu backend failed to initialise');
  await tf.ready();
  return 'cpu: pure JavaScript, 1 thread';
}

/**
 * Activate the fastest TF.js runtime present (or the one asked for) and report it.
 *
 * @example
 * const rt = await pickTfjsRuntime();            // e.g. { name: 'wasm', detail: 'wasm: SIMD, 1 thread …' }
 * const rt2 = await pickTfjsRuntime({ runtime: 'cpu' });
 */
export async function pickTfjsRuntime(opts: PickRuntimeOptions = {}): Promise<TfjsRuntime> {
  const envPick = process.env['TADSR_TFJS_RUNTIME'];
  const forced = opts.runtime ?? (envPick ? (envPick as TfjsRuntimeName) : undefined);
  if (forced !== undefined && !TFJS_RUNTIMES.includes(forced)) {
    throw new Error(`unknown TF.js runtime "${forced}"; expected one of ${TFJS_RUNTIMES.join(', ')}`);
  }
  const order = forced ? [forced] : TFJS_RUNTIMES;
  const skipped: string[] = [];
  for (const name of order) {
    if (name === 'tfjs-node-gpu' || name === 'tfjs-node') {
      const pkg = `@tensorflow/${name}`;
      if (await tryNative(pkg)) {
        await tf.setBackend('tensorflow');
        await tf.ready();
        return { name, backend: 'tensorflow', detail: `${name}: native libtensorflow`, skipped };
      }
      skipped.push(`${name}: package not installed`);
      continue;
    }
    try {
      const detail = name === 'wasm' ? await setUpWasm() : await setUpCpu();
      return { name, backend: tf.getBackend(), detail, skipped };
    } catch (e) {
      skipped.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`no TF.js runtime available (${skipped.join('; ')})`);
}
