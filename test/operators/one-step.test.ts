/**
 * `oneStep`: the fused ONNX `student` graph (posterior mean) and encode → denoise → decode give the same `sr`; the
 * fused graph is used when the backend has it, the three operators otherwise (a backend without `runGraph`, a
 * posterior sample, `fused: false`).
 */
import { firstValueFrom, from } from 'rxjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { type OnnxBackend, createOnnxBackend } from '../../src/backends/onnx/onnx-backend.js';
import { isFrameError } from '../../src/frame.js';
import { modelFacts } from '../../src/graphs/model-dir.js';
import { createImage, type RgbImage } from '../../src/image.js';
import { posteriorNoise } from '../../src/operators/encode.js';
import { oneStep, type OneStepOptions } from '../../src/operators/one-step.js';
import { initParams } from '../../src/models/params.js';
import { presets } from '../../src/models/presets.js';
import { FAKE_FACTS, FakeBackend } from '../helpers/fake-backend.js';

function img(w: number, h: number): RgbImage {
  const d = new Float32Array(w * h * 3);
  for (let i = 0; i < d.length; i++) d[i] = (((i + 5) * 2654435761) % 997) / 997;
  return createImage(w, h, d);
}

const spec = presets.tiny;
const facts = modelFacts(spec);
let backend: OnnxBackend | undefined;
afterAll(async () => {
  await backend?.dispose();
});

async function run(b: Parameters<typeof oneStep>[0], f: typeof facts, o: OneStepOptions) {
  const out = await firstValueFrom(from([{ id: 'a', lq: img(10, 6) }]).pipe(oneStep(b, f, o)));
  if (isFrameError(out)) throw new Error(out.message);
  return out;
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('oneStep', () => {
  it('runs the fused student graph on the ONNX backend, equal to encode → denoise → decode, for both formulas', async () => {
    backend = await createOnnxBackend(spec, initParams(spec, 4), { providers: ['cpu'] });
    const graph = vi.spyOn(backend, 'runGraph');
    const calls = vi.spyOn(backend, 'run');
    const srs: Float32Array[] = [];
    for (const formula of ['ddpm-x0', 'official'] as const) {
      graph.mockClear();
      calls.mockClear();
      const fused = await run(backend, facts, { tS: 400, formula });
      expect(graph.mock.calls.map((c) => c[0])).toEqual(['student']);
      expect(calls).not.toHaveBeenCalled();
      expect('zHat' in fused).toBe(false);
      graph.mockClear();
      const split = await run(backend, facts, { tS: 400, formula, fused: false });
      expect(calls.mock.calls.map((c) => c[0])).toEqual(['timeAwareEncoder', 'unet', 'vaeDecoder']);
      expect('zHat' in split).toBe(true);
      expect([fused.sr.width, fused.sr.height]).toEqual([40, 24]);
      expect(maxDiff(fused.sr.data, split.sr.data)).toBeLessThan(1e-4);
      srs.push(fused.sr.data);
    }
    expect(maxDiff(srs[0]!, srs[1]!)).toBeGreaterThan(1e-3); // the formula reaches the fused graph
    // a posterior sample never takes the fused graph (it has no noise input)
    calls.mockClear();
    graph.mockClear();
    await run(backend, facts, { tS: 400, noise: posteriorNoise(1) });
    expect(graph).not.toHaveBeenCalled();
    expect(calls).toHaveBeenCalledTimes(3);
  });

  it('is encode → denoise → decode on a backend without a fused graph', async () => {
    const b = new FakeBackend();
    const out = await run(b, FAKE_FACTS, { tS: 300, formula: 'official' });
    expect(b.calls.map((c) => c.net)).toEqual(['timeAwareEncoder', 'unet', 'vaeDecoder']);
    expect(out.tS).toBe(300);
    expect([out.sr.width, out.sr.height, out.lqUp.width]).toEqual([40, 24, 40]);
  });
});
