/** The ONNX Runtime backend's registry entry: variants `cuda` (when bundled) and `cpu`. */
import type { BackendFactory } from '../registry.js';
import { createOnnxBackend, defaultProviders } from './onnx-backend.js';
import type { ExecutionProvider } from './session-protocol.js';

export const onnxFactory: BackendFactory = {
  name: 'onnx',
  variants: async () => defaultProviders(),
  create: (spec, weights, opts = {}) => {
    const v = opts.variant;
    if (v !== undefined && v !== 'cpu' && v !== 'cuda') throw new Error(`onnx: unknown variant "${v}" (cpu, cuda)`);
    const providers: ExecutionProvider[] = v === undefined ? defaultProviders() : [v];
    return createOnnxBackend(spec, weights, { providers });
  },
};
