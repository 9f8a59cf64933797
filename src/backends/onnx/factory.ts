/**
 * The ONNX Runtime backend's registry entry. Variants are devices (`device.ts`): `cuda` when bundled, `webgpu`
 * when a hardware Vulkan adapter is present, and `cpu`; `webgpu` on the software adapter and `auto` are
 * accepted when asked for by name but not listed (so "every backend present" does not time a software GPU).
 */
import type { BackendFactory } from '../backend-factory.js';
import { DEVICES, planDevice, type Device } from './device.js';
import { createOnnxBackend } from './onnx-backend.js';

export const onnxFactory: BackendFactory = {
  name: 'onnx',
  variants: async () => (await planDevice('auto')).providers,
  accepts: (variant: string) => (DEVICES as readonly string[]).includes(variant),
  create: (spec, weights, opts = {}) => {
    const v = opts.variant;
    if (v !== undefined && !(DEVICES as readonly string[]).includes(v)) throw new Error(`onnx: unknown variant "${v}" (${DEVICES.join(', ')})`);
    return createOnnxBackend(spec, weights, { device: (v ?? 'auto') as Device });
  },
};
