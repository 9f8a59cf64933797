/**
 * The WebGPU execution provider (Dawn on Vulkan, inside onnxruntime-node) against the CPU provider, on whatever
 * Vulkan adapter is here — in CI, Mesa's software driver llvmpipe (`mesa-vulkan-drivers`, installed by .ci/run).
 * Skips, saying why, only when no Vulkan adapter is listed. Sizes are the smallest each model takes: the
 * software driver is 25–50× slower than the CPU provider.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planDevice, preferredAdapter, vulkanAdapters, type VulkanProbe } from '../../../src/backends/onnx/device.js';
import { OnnxGraphBuilder } from '../../../src/backends/onnx/graph-builder.js';
import { createOnnxBackend, type OnnxBackend } from '../../../src/backends/onnx/onnx-backend.js';
import { OnnxNetOps } from '../../../src/backends/onnx/onnx-net-ops.js';
import { SessionHost } from '../../../src/backends/onnx/session-host.js';
import type { OnnxGraphName } from '../../../src/backends/onnx/emit.js';
import { initParams } from '../../../src/models/params.js';
import { presets } from '../../../src/models/presets.js';
import type { ModelSpec } from '../../../src/models/specs.js';
import { relativeError } from '../../fixtures/parity/load-fixture.js';

const vk: VulkanProbe = await vulkanAdapters();
const HAVE_VULKAN = vk.adapters.length > 0;
if (!HAVE_VULKAN) console.warn(`WebGPU parity: skipped: ${vk.problem ?? 'no Vulkan adapter'}`);

function wave(shape: number[], k: number) {
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * k) * 0.8);
  return { shape, data };
}

const open: OnnxBackend[] = [];
afterAll(async () => {
  for (const b of open) await b.dispose();
});

async function pair(spec: ModelSpec, seed: number): Promise<{ gpu: OnnxBackend; cpu: OnnxBackend }> {
  const w = initParams(spec, seed);
  const gpu = await createOnnxBackend(spec, w, { device: 'webgpu', threads: 1 });
  const cpu = await createOnnxBackend(spec, w, { device: 'cpu', threads: 1 });
  open.push(gpu, cpu);
  return { gpu, cpu };
}

/** Run `net` on both; relative max error of the output, and the GPU backend's placement for it. */
async function compare(b: { gpu: OnnxBackend; cpu: OnnxBackend }, net: OnnxGraphName, inputs: Record<string, { shape: number[]; data: Float32Array }>) {
  const [g] = Object.values(await b.gpu.runGraph(net, inputs));
  const [c] = Object.values(await b.cpu.runGraph(net, inputs));
  expect(g!.shape).toEqual(c!.shape);
  return relativeError(g!.data, c!.data);
}

// ~35 s alone on 2 cores; the software driver slows down most when the CPU is shared: generous limits
const SLOW = 600_000;

describe.skipIf(!HAVE_VULKAN)('WebGPU provider vs CPU provider (≤ 1e-3 relative)', { timeout: SLOW }, () => {
  it('plans auto without the software adapter, and webgpu with it', async () => {
    const best = preferredAdapter(vk.adapters)!;
    const auto = await planDevice('auto');
    expect(auto.providers.includes('webgpu')).toBe(best.type !== 'cpu');
    expect(auto.providers[auto.providers.length - 1]).toBe('cpu');
    const explicit = await planDevice('webgpu');
    expect(explicit.providers).toEqual(['webgpu']);
    expect(explicit.adapter?.name).toBe(best.name);
  });

  it('a 1×1 convolution with bias and 4 channels (ORT 1.22 WebGPU drops such biases unless split off)', async () => {
    const g = new OnnxGraphBuilder({ name: 'c' });
    const ops = new OnnxNetOps(g);
    const w = g.weight('w', wave([4, 4, 1, 1], 0.7));
    const bias = g.weight('b', { shape: [4], data: Float32Array.from([0.3, -0.2, 0.5, 0.1]) });
    g.output(ops.conv2d(g.input('x', [1, 4, 'h', 'w']), w, bias), 'y', [1, 4, 'h', 'w']);
    const host = new SessionHost();
    try {
      const x = wave([1, 4, 4, 4], 0.37);
      const out: Float32Array[] = [];
      for (const ep of ['webgpu', 'cpu'] as const) {
        await host.create(ep, { kind: 'bytes', bytes: g.build() }, [ep], 1);
        out.push((await host.run(ep, { x })).outputs['y']!.data);
      }
      expect(relativeError(out[0]!, out[1]!)).toBeLessThan(1e-5);
    } finally {
      await host.terminate();
    }
  });

  it('heavy nodes that fall back to the CPU make webgpu fail, with the ops named', async () => {
    // MatMul on int64 has no WebGPU kernel: ONNX Runtime places it on the CPU
    const g = new OnnxGraphBuilder({ name: 'm' });
    const x = g.input('x', [2, 2]);
    const xi = g.op('Cast', [x], { to: { i: 7 } });
    g.output(g.op('Cast', [g.op('MatMul', [xi, xi])], { to: { i: 1 } }), 'y', [2, 2]);
    const host = new SessionHost();
    const probe = { x: { shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) } };
    try {
      await expect(host.create('gpu', { kind: 'bytes', bytes: g.build() }, ['webgpu'], 1, undefined, probe)).rejects.toThrow(/heavy nodes fell back to the CPU \(MatMul×1/);
      // with the CPU after it, the CPU provider takes over and the reason is kept
      const r = await host.create('any', { kind: 'bytes', bytes: g.build() }, ['webgpu', 'cpu'], 1, undefined, probe);
      expect(r.provider).toBe('cpu');
      expect(r.errors.join()).toMatch(/webgpu: heavy nodes fell back/);
      expect(Array.from((await host.run('any', probe)).outputs['y']!.data)).toEqual([7, 10, 15, 22]);
    } finally {
      await host.terminate();
    }
  });

  describe('tiny: the whole student graph', () => {
    let b: { gpu: OnnxBackend; cpu: OnnxBackend };
    beforeAll(async () => {
      b = await pair(presets.tiny, 5);
    }, SLOW);
    it('student (encoder → UNet → decoder) at 32²', async () => {
      const spec = presets.tiny;
      const err = await compare(b, 'student', {
        sample: wave([1, 3, 32, 32], 0.37),
        timestep: { shape: [1], data: Float32Array.of(500) },
        zCoef: { shape: [1], data: Float32Array.of(0.8) },
        epsCoef: { shape: [1], data: Float32Array.of(-0.4) },
        encoderHiddenStates: wave([1, 2, spec.unet.crossAttentionDim!], 0.11),
      });
      expect(err).toBeLessThan(1e-3);
      const info = b.gpu.info;
      expect(info.provider).toBe('webgpu');
      expect(info.adapter?.name).toBe(preferredAdapter(vk.adapters)!.name);
      const p = info.placements['student']!;
      expect(p['webgpu']!['Conv']).toBeGreaterThan(0);
      expect(p['webgpu']!['MatMul']).toBeGreaterThan(0);
      expect(p['cpu']?.['Conv']).toBeUndefined();
      expect(info.runtime).toMatch(/webgpu on .*student: webgpu \d+/);
    });
  });

  describe('small: TAE, UNet and decoder graphs', () => {
    let b: { gpu: OnnxBackend; cpu: OnnxBackend };
    const spec = presets.small;
    const L = spec.vae.latentChannels;
    beforeAll(async () => {
      b = await pair(spec, 6);
    }, SLOW);
    it('timeAwareEncoder at 32²', async () => {
      expect(await compare(b, 'timeAwareEncoder', { sample: wave([1, 3, 32, 32], 0.37), timestep: { shape: [1], data: Float32Array.of(300) } })).toBeLessThan(1e-3);
    });
    it('unet at 4² latent', async () => {
      const ctx: Record<string, ReturnType<typeof wave>> = spec.unet.crossAttentionDim === null ? {} : { encoderHiddenStates: wave([1, 2, spec.unet.crossAttentionDim], 0.11) };
      expect(await compare(b, 'unet', { sample: wave([1, L, 4, 4], 0.53), timestep: { shape: [1], data: Float32Array.of(300) }, ...ctx })).toBeLessThan(1e-3);
    });
    it('vaeDecoder from 4² latent', async () => {
      expect(await compare(b, 'vaeDecoder', { latent: wave([1, L, 4, 4], 0.29) })).toBeLessThan(1e-3);
      expect(b.gpu.info.placements['vaeDecoder']!['webgpu']!['Conv']).toBeGreaterThan(0);
    });
  });
});
