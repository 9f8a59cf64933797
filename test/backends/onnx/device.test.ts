/**
 * Device selection logic that needs no GPU: reading `vulkaninfo --summary`, the adapter Dawn prefers, and counting
 * an ONNX Runtime profile's node placement (the real adapters and providers are exercised by webgpu.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { DeviceError, heavyOnCpu, parseDevice, parseVulkanSummary, placementFromProfile, preferredAdapter, formatPlacement } from '../../../src/backends/onnx/device.js';

// `vulkaninfo --summary` on Debian 12 with mesa-vulkan-drivers (tail of the real output)
const LLVMPIPE = `Devices:
========
GPU0:
\tapiVersion         = 1.3.230
\tdriverVersion      = 0.0.1
\tvendorID           = 0x10005
\tdeviceID           = 0x0000
\tdeviceType         = PHYSICAL_DEVICE_TYPE_CPU
\tdeviceName         = llvmpipe (LLVM 15.0.6, 256 bits)
\tdriverID           = DRIVER_ID_MESA_LLVMPIPE
\tdriverName         = llvmpipe
\tdriverInfo         = Mesa 22.3.6 (LLVM 15.0.6)
\tconformanceVersion = 1.3.1.1
`;

describe('device selection', () => {
  it('parses --device values and names the choices for a bad one', () => {
    expect(parseDevice('webgpu')).toBe('webgpu');
    expect(() => parseDevice('gpu')).toThrow(DeviceError);
    expect(() => parseDevice('gpu')).toThrow(/auto, cpu, webgpu, cuda/);
  });

  it('reads adapters from vulkaninfo --summary', () => {
    expect(parseVulkanSummary(LLVMPIPE)).toEqual([{ name: 'llvmpipe (LLVM 15.0.6, 256 bits)', type: 'cpu', driver: 'Mesa 22.3.6 (LLVM 15.0.6)' }]);
    expect(parseVulkanSummary('ERROR: [Loader Message] vkCreateInstance failed')).toEqual([]);
  });

  it('prefers a discrete GPU, then an integrated one, the software adapter last', () => {
    const sw = { name: 'llvmpipe', type: 'cpu', driver: '' } as const;
    const igpu = { name: 'Intel UHD', type: 'integrated', driver: '' } as const;
    const dgpu = { name: 'NVIDIA H100', type: 'discrete', driver: '' } as const;
    expect(preferredAdapter([sw, igpu, dgpu])?.name).toBe('NVIDIA H100');
    expect(preferredAdapter([sw, igpu])?.name).toBe('Intel UHD');
    expect(preferredAdapter([sw])?.name).toBe('llvmpipe');
    expect(preferredAdapter([])).toBeUndefined();
  });

  it('counts a profile by provider and op once per node, and finds heavy ops on the CPU', () => {
    const node = (i: number, op: string, ep: string, suffix = 'kernel_time') => ({ cat: 'Node', name: `${op}_${i}_${suffix}`, args: { node_index: String(i), op_name: op, provider: ep } });
    const events = [
      { cat: 'Session', name: 'session_initialization' },
      node(0, 'Conv', 'WebGpuExecutionProvider', 'fence_before'),
      node(0, 'Conv', 'WebGpuExecutionProvider'),
      node(1, 'Shape', 'WebGpuExecutionProvider'),
      node(2, 'Gather', 'CPUExecutionProvider'),
      node(3, 'MatMul', 'CPUExecutionProvider'),
      node(3, 'MatMul', 'CPUExecutionProvider'), // a second run of the same node
    ];
    const p = placementFromProfile(events);
    expect(p).toEqual({ webgpu: { Conv: 1, Shape: 1 }, cpu: { Gather: 1, MatMul: 1 } });
    expect(formatPlacement(p)).toBe('webgpu 2, cpu 2');
    expect(heavyOnCpu(p)).toBe('MatMul×1');
    expect(heavyOnCpu({ webgpu: { Conv: 3 }, cpu: { Gather: 4, Slice: 2 } })).toBe('');
  });
});
