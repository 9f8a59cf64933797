/**
 * The shipped default model: `tadsr upscale in.png -o out.png` with no `--model` loads `models/default` (in the
 * repository and in the npm package's `files`) and turns a 128² image into a 512² one that follows the input.
 * One 128² image through the ~67 GFLOP student on ONNX Runtime CPU: a few seconds.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { defaultModelDir } from '../../src/graphs/infer.js';
import { readManifest, readModelDir } from '../../src/graphs/model-dir.js';
import { createOnnxBackend } from '../../src/backends/onnx/onnx-backend.js';
import { relativeError } from '../fixtures/parity/load-fixture.js';
import { decodeImage } from '../../src/io/decode-image.js';
import { bicubicUpscale, psnr } from '../../src/metrics/index.js';

const repoModels = resolve(new URL('../../models/default', import.meta.url).pathname);

/** A smooth, low-saturation synthetic 128² picture: gradients, a soft texture, a bright disc, a dark bar. */
async function syntheticPng(path: string): Promise<void> {
  const n = 128;
  const px = Buffer.alloc(n * n * 3);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const inDisc = (x - 80) ** 2 + (y - 50) ** 2 < 22 ** 2;
      const inBar = y > 90 && y < 104 && x > 10 && x < 110;
      const v = 70 + x * 0.6 + y * 0.4 + 25 * Math.sin(x / 7) * Math.cos(y / 11) + (inDisc ? 50 : 0) - (inBar ? 45 : 0);
      const i = 3 * (y * n + x);
      px[i] = Math.round(v + 12);
      px[i + 1] = Math.round(v);
      px[i + 2] = Math.round(v - 10);
    }
  }
  await sharp(px, { raw: { width: n, height: n, channels: 3 } }).png().toFile(path);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('tadsr upscale with the shipped default model', () => {
  it('models/default is a trained tadsr model and is the CLI default', async () => {
    expect(defaultModelDir()).toBe(repoModels);
    const m = await readManifest(repoModels);
    // the mean of two distillation checkpoints of `tadsr train`, plus a t_s adapter (models/small-taef2/MODEL_CARD.md)
    expect(m.provenance['baseSource']).toBe('tools/average-models.ts');
    expect(m.provenance['source']).toBe('tools/add-ts-adapter.ts');
    expect(m.tsAdapter).toEqual({ from: 300, to: 500 });
    expect(m.defaultTs).toBeLessThanOrEqual(m.tsAdapter!.from); // the default t_s is the distilled student's, untouched
    expect(m.preset).toBe('small-taef2');
    expect(m.spec.vae.arch).toBe('taesd');
    expect(m.spec.tae).toBeDefined();
    const pkg = JSON.parse(readFileSync(resolve(repoModels, '../../package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('models');
  });

  it('its t_s adapter leaves t_s ≤ 300 to the distilled student and changes t_s ≥ 500', async () => {
    const m = await readModelDir(repoModels);
    const { tsAdapter, ...base } = m.weights;
    expect(tsAdapter).toBeDefined();
    const [withAdapter, without] = await Promise.all([m.weights, base].map((w) => createOnnxBackend(m.manifest.spec, w, { providers: ['cpu'] })));
    try {
      const sample = { shape: [1, 3, 64, 64], data: Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => 0.6 * Math.sin(i * 0.013) * Math.cos(i * 0.0007)) };
      const at = async (b: typeof withAdapter, t: number) =>
        (await b.runGraph('student', { sample, timestep: { shape: [1], data: Float32Array.of(t) }, zCoef: { shape: [1], data: Float32Array.of(0) }, epsCoef: { shape: [1], data: Float32Array.of(1) } }))['image']!.data;
      expect(relativeError(await at(withAdapter, 300), await at(without, 300))).toBeLessThan(1e-6);
      expect(relativeError(await at(withAdapter, 700), await at(without, 700))).toBeGreaterThan(1e-3);
    } finally {
      await withAdapter.dispose();
      await without.dispose();
    }
  });

  it('128² in → 512² out with no --model, close to the input (not noise)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tadsr-default-'));
    const input = join(dir, 'in.png');
    const output = join(dir, 'out.png');
    await syntheticPng(input);
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err.push(String(chunk));
      return true;
    });
    const code = await main(['node', 'tadsr', 'upscale', input, '-o', output]);
    vi.restoreAllMocks();
    expect(code, err.join('')).toBe(0);
    expect(err.join('')).toContain(`model ${repoModels}`);
    expect(existsSync(output)).toBe(true);
    const meta = await sharp(output).metadata();
    expect([meta.width, meta.height]).toEqual([512, 512]);
    // The super-resolved image follows the input: close to its bicubic ×4 (measured: the small-vae16 model shipped
    // before 36.4 dB; the same architecture untrained, i.e. colour-fixed noise, 17.1 dB).
    const sr = await decodeImage(readFileSync(output));
    const bic = bicubicUpscale(await decodeImage(readFileSync(input)), 4);
    expect(psnr(sr, bic, { yChannel: true })).toBeGreaterThan(28);
  });
});
