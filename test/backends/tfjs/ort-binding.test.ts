/**
 * Pins the PRIVATE onnxruntime-node API the synchronous ORT kernels use (src/backends/tfjs/ort/ort-binding.ts).
 * If an onnxruntime-node upgrade changes it, this fails loudly: re-check the binding before bumping the pin.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { encodeOnnxModel } from '../../../src/backends/onnx/onnx-model-desc.js';
import { PINNED_ORT_VERSION, createNativeSession, nativeTensor } from '../../../src/backends/tfjs/ort/ort-binding.js';

const require = createRequire(import.meta.url);

describe('onnxruntime-node private binding', () => {
  it('is the pinned version, exact in package.json', () => {
    const installed = (require('onnxruntime-node/package.json') as { version: string }).version;
    const declared = (require('../../../package.json') as { dependencies: Record<string, string> }).dependencies[
      'onnxruntime-node'
    ];
    expect(installed).toBe(PINNED_ORT_VERSION);
    expect(declared).toBe(PINNED_ORT_VERSION);
  });

  it('exposes InferenceSession with loadModel(buffer, offset, length, options) / run / dispose', () => {
    const { binding } = require('onnxruntime-node/dist/binding.js') as { binding: Record<string, unknown> };
    const Session = binding['InferenceSession'] as { prototype: Record<string, unknown> };
    expect(typeof Session).toBe('function');
    for (const m of ['loadModel', 'run', 'dispose']) expect(typeof Session.prototype[m], m).toBe('function');
  });

  it('runs synchronously, writing into pre-allocated outputs', () => {
    const model = encodeOnnxModel({
      nodes: [{ op: 'Mul', inputs: ['a', 'b'], outputs: ['y'] }],
      inputs: [
        { name: 'a', shape: [2, 3] },
        { name: 'b', shape: [2, 3] },
      ],
      outputs: [{ name: 'y', shape: [2, 3] }],
    });
    const session = createNativeSession(model, { intraOpNumThreads: 1 });
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float32Array.from([2, 2, 2, -1, -1, -1]);
    const out = new Float32Array(6);
    let resolvedLater = false;
    void Promise.resolve().then(() => (resolvedLater = true));
    const result = session.run({ a: nativeTensor(a, [2, 3]), b: nativeTensor(b, [2, 3]) }, { y: nativeTensor(out, [2, 3]) }, {});
    expect(resolvedLater).toBe(false); // returned before any microtask ran: synchronous
    expect(Array.from(out)).toEqual([2, 4, 6, -4, -5, -6]);
    expect(Array.from(result['y']!.data as Float32Array)).toEqual([2, 4, 6, -4, -5, -6]);
    session.dispose();
  });
});
