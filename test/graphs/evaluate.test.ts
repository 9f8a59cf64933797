import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EvaluateEvent, type EvaluateSummary, evaluate } from '../../src/graphs/evaluate.js';
import { decodeImage } from '../../src/io/decode-image.js';
import { bicubicUpscale, measureImage } from '../../src/metrics/index.js';
import { readFileSync } from 'node:fs';
import { type EvalSet, makeEvalSet } from './evaluate-fixtures.js';

let set: EvalSet;
beforeAll(async () => {
  set = await makeEvalSet(3);
});
afterAll(() => rmSync(set.root, { recursive: true, force: true }));

async function run(opts: Parameters<typeof evaluate>[0]): Promise<{ events: EvaluateEvent[]; summary: EvaluateSummary }> {
  const events = await lastValueFrom(evaluate(opts).pipe(toArray()));
  const last = events[events.length - 1];
  if (last.kind !== 'summary') throw new Error('no summary last');
  return { events, summary: last.summary };
}

const read = async (p: string) => decodeImage(readFileSync(p));

describe('evaluate()', () => {
  it('scores every pair (suffixed SR names included) and reports the bad and unpaired files', async () => {
    const { events, summary } = await run({ srDir: set.sr, hrDir: set.hr });
    expect(events[0]).toEqual({ kind: 'start', total: 4, unpaired: 1 });
    expect(summary.n).toBe(3);
    expect(summary.images.map((r) => r.name)).toEqual(set.names);
    const errs = Object.fromEntries(summary.errors.map((e) => [e.name, e]));
    expect(Object.keys(errs).sort()).toEqual(['stray', 'zz_broken_x1']);
    expect(errs.stray.stage).toBe('pairing');
    expect(errs.zz_broken_x1.stage).toBe('read-images');
    expect(errs.zz_broken_x1.message).toMatch(/zz_broken_x1\.png/);
    // Scores equal the plain metric functions on the same files (pyiqa Y PSNR/SSIM, BasicSR NIQE).
    for (const r of summary.images) {
      const want = measureImage(await read(r.srPath), await read(r.hrPath));
      expect(r.psnr).toBe(want.psnr);
      expect(r.ssim).toBe(want.ssim);
      expect(r.niqe).toBe(want.niqe);
    }
    // More noise, lower PSNR (the fixtures add 20, 30, 40 levels of noise).
    const p = summary.images.map((r) => r.psnr as number);
    expect(p[0]).toBeGreaterThan(p[1]);
    expect(p[1]).toBeGreaterThan(p[2]);
    const mean = p.reduce((s, v) => s + v, 0) / 3;
    expect(summary.mean.psnr).toBeCloseTo(mean, 12);
  });

  it('bicubic baseline: upsamples each LQ x4 with MATLAB bicubic, quantised to 8 bits', async () => {
    const { summary } = await run({ bicubicLqDir: set.lq, hrDir: set.hr, metrics: ['psnr', 'niqe'] });
    expect(summary.n).toBe(3);
    expect(summary.metrics).toEqual(['psnr', 'niqe']);
    const r = summary.images[0];
    expect(r.ssim).toBeUndefined();
    const up = bicubicUpscale(await read(join(set.lq, `${r.name}.png`)), 4);
    const want = measureImage(up, await read(r.hrPath), { metrics: ['psnr', 'niqe'] });
    expect(r.psnr).toBe(want.psnr);
    expect(r.niqe).toBe(want.niqe);
    expect(summary.errors.map((e) => e.name)).toEqual(['zz_broken_x1']);
  });

  it('reports a size mismatch as a data error, not a crash', async () => {
    const { summary } = await run({ bicubicLqDir: set.lq, hrDir: set.hr, scale: 2 });
    expect(summary.n).toBe(0);
    expect(summary.errors.filter((e) => e.stage === 'check-size').length).toBe(3);
    expect(summary.errors.find((e) => e.stage === 'check-size')?.message).toMatch(/bicubic x2 of the LQ image is 96x96 but the HR image is 192x192/);
    expect(Number.isNaN(summary.mean.psnr)).toBe(true);
  });

  it('worker threads give the same scores and the same error reports as the in-thread path', async () => {
    const inline = await run({ bicubicLqDir: set.lq, hrDir: set.hr });
    const pooled = await run({ bicubicLqDir: set.lq, hrDir: set.hr, workers: 2 });
    expect(pooled.summary.images).toEqual(inline.summary.images);
    expect(pooled.summary.mean).toEqual(inline.summary.mean);
    expect(pooled.summary.errors.map((e) => e.name).sort()).toEqual(inline.summary.errors.map((e) => e.name).sort());
    const sized = await run({ bicubicLqDir: set.lq, hrDir: set.hr, scale: 2, workers: 2 });
    expect(sized.summary.errors.filter((e) => e.stage === 'measure').length).toBe(3);
  });

  it('a missing directory or a missing SR source is a usage error', async () => {
    await expect(run({ srDir: join(set.root, 'nope'), hrDir: set.hr })).rejects.toThrow(/no such file or directory/);
    await expect(run({ hrDir: set.hr })).rejects.toThrow(/srDir .* or bicubicLqDir/);
  });
});
