/**
 * `tadsr upscale --device webgpu` with the shipped model runs on the Vulkan adapter present (in CI: Mesa's
 * software driver, llvmpipe) and gives the CPU provider's result: float output within 1e-3 relative through the
 * library, and the written PNG within one 8-bit level of the CPU result. A 16² input keeps the software driver's
 * run short. Skips, saying why, when no Vulkan adapter is listed. Bad or unavailable devices are usage errors.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { providerBundled, vulkanAdapters } from '../../src/backends/onnx/device.js';
import { main } from '../../src/cli/main.js';
import { Upscaler, defaultModelDir } from '../../src/graphs/infer.js';
import { decodeImage } from '../../src/io/decode-image.js';
import { relativeError } from '../fixtures/parity/load-fixture.js';

const vk = await vulkanAdapters();
const HAVE_VULKAN = vk.adapters.length > 0;
if (!HAVE_VULKAN) console.warn(`upscale --device webgpu: skipped: ${vk.problem ?? 'no Vulkan adapter'}`);

let dir: string;
let input: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tadsr-device-'));
  input = join(dir, 'in.png');
  const n = 16;
  const px = Buffer.alloc(n * n * 3);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const v = 90 + x * 6 + 40 * Math.sin(x / 2) * Math.cos(y / 3);
      px.set([v + 12, v, v - 10].map((c) => Math.max(0, Math.min(255, Math.round(c)))), 3 * (y * n + x));
    }
  }
  await sharp(px, { raw: { width: n, height: n, channels: 3 } }).png().toFile(input);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  try {
    return { code: await main(['node', 'tadsr', 'upscale', ...args]), err: err.join('') };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('tadsr upscale --device', () => {
  it('rejects an unknown device, and cuda where its provider is not installed, as usage errors', async () => {
    const bad = await cli([input, '-o', join(dir, 'x.png'), '--device', 'tpu']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--device must be one of auto, cpu, webgpu, cuda, got "tpu"/);
    if (!providerBundled('cuda')) {
      const cuda = await cli([input, '-o', join(dir, 'x.png'), '--device', 'cuda']);
      expect(cuda.code).toBe(2);
      expect(cuda.err).toMatch(/CUDA execution provider is not installed/);
    }
  });

  it.skipIf(!HAVE_VULKAN)('webgpu gives the CPU result (float ≤ 1e-3 relative; PNG within one level)', async () => {
    const lq = await decodeImage(readFileSync(input));
    const results = [];
    for (const variant of ['cpu', 'webgpu']) {
      const up = await Upscaler.load(defaultModelDir(), { variant });
      try {
        results.push(await up.upscale(lq));
        if (variant === 'webgpu') {
          // the whole student ran as one graph on the GPU (only the image crosses), its heavy nodes all there
          expect(up.backend.info.runtime).toMatch(/webgpu on .*student: webgpu \d+/);
        }
      } finally {
        await up.dispose();
      }
    }
    const [cpu, gpu] = results as [typeof lq, typeof lq];
    expect(relativeError(gpu.data, cpu.data)).toBeLessThan(1e-3);

    const out = join(dir, 'out.png');
    const r = await cli([input, '-o', out, '--device', 'webgpu']);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/on onnxruntime-node .*webgpu on /);
    const png = await decodeImage(readFileSync(out));
    expect([png.width, png.height]).toEqual([64, 64]);
    let worst = 0;
    for (let i = 0; i < png.data.length; i++) worst = Math.max(worst, Math.abs(png.data[i]! - Math.min(1, Math.max(0, cpu.data[i]!))));
    expect(worst).toBeLessThanOrEqual(1 / 255 + 1e-6);
  }, 600_000); // ~30 s alone on 2 cores; the software driver slows down most when the CPU is shared
});
