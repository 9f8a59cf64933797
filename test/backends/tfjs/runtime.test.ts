/** The TF.js runtime pick: fastest present by default, forced by option or env, clear error on a bad name. */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { pickTfjsRuntime } from '../../../src/backends/tfjs/runtime.js';

afterEach(() => {
  delete process.env['TADSR_TFJS_RUNTIME'];
});

describe('pickTfjsRuntime', () => {
  it('picks the fastest present and says why (tfjs-node is optional and absent here → wasm with SIMD)', async () => {
    const rt = await pickTfjsRuntime();
    let nodePresent = true;
    try {
      await import('@tensorflow/tfjs-node' as string);
    } catch {
      nodePresent = false;
    }
    if (nodePresent) {
      expect(rt.name).toMatch(/tfjs-node/);
    } else {
      expect(rt.name).toBe('wasm');
      expect(rt.detail).toMatch(/^wasm: (SIMD|no SIMD), \d+ threads?/);
      expect(rt.skipped.join('; ')).toMatch(/tfjs-node-gpu: package not installed/);
    }
    expect(tf.getBackend()).toBe(rt.backend);
  });

  it('can be forced by option and by TADSR_TFJS_RUNTIME', async () => {
    expect((await pickTfjsRuntime({ runtime: 'cpu' })).backend).toBe('cpu');
    process.env['TADSR_TFJS_RUNTIME'] = 'wasm';
    expect((await pickTfjsRuntime()).backend).toBe('wasm');
  });

  it('rejects an unknown runtime with the list of known ones', async () => {
    process.env['TADSR_TFJS_RUNTIME'] = 'webgpu';
    await expect(pickTfjsRuntime()).rejects.toThrow(/unknown TF.js runtime "webgpu"; expected one of tfjs-node-gpu, tfjs-node, wasm, cpu/);
  });
});
