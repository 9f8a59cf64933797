import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateModel } from '../../src/graphs/eval-model.js';
import { decodeImage } from '../../src/io/decode-image.js';
import { bicubicUpscale, niqe, psnr, ssim } from '../../src/metrics/index.js';
import { type PairedSet, makePairedSet, noisyBicubic } from './eval-model-fixture.js';

let set: PairedSet;
beforeAll(async () => {
  set = await makePairedSet();
});
afterAll(() => rmSync(set.root, { recursive: true, force: true }));

describe('evaluateModel', () => {
  it('scores every t_s and the bicubic baseline, lists bad pairs, writes report.json / index.html / PNGs', async () => {
    const progress: number[] = [];
    const reportDir = join(set.root, 'report');
    const { report, files } = await evaluateModel({
      upscaleFn: noisyBicubic,
      modelLabel: 'noisy bicubic stand-in',
      lqDir: set.lqDir,
      hrDir: set.hrDir,
      tS: [0, 300, 900],
      reportDir,
      comparisons: 2,
      onProgress: (p) => progress.push(p.done / p.total),
    });
    expect(report.rows.map((r) => r.tS)).toEqual([0, 300, 900]);
    expect(report.rows.every((r) => r.n === 3)).toBe(true);
    // baseline = direct metric calls on the same images
    const direct = await Promise.all(
      set.good.map(async (id) => {
        const lq = await decodeImage(readFileSync(join(set.lqDir, `${id}.png`)));
        const hr = await decodeImage(readFileSync(join(set.hrDir, `${id}.png`)));
        const b = bicubicUpscale(lq, 4);
        return { psnr: psnr(b, hr), ssim: ssim(b, hr), niqe: niqe(b) };
      }),
    );
    const avg = (k: 'psnr' | 'ssim' | 'niqe') => direct.reduce((a, d) => a + d[k], 0) / direct.length;
    const [bic] = report.baselines;
    expect(bic.psnr).toBeCloseTo(avg('psnr'), 10);
    expect(bic.ssim).toBeCloseTo(avg('ssim'), 10);
    expect(bic.niqe).toBeCloseTo(avg('niqe'), 10);
    // t_s = 0 of the stand-in is exactly bicubic; more noise at larger t_s lowers PSNR and SSIM
    expect(report.rows[0].psnr).toBeCloseTo(bic.psnr, 10);
    expect(report.rows[0].niqe).toBeCloseTo(bic.niqe, 10);
    expect(report.rows[0].psnr).toBeGreaterThan(report.rows[1].psnr + 0.5);
    expect(report.rows[1].psnr).toBeGreaterThan(report.rows[2].psnr + 0.5);
    expect(report.rows[1].ssim).toBeGreaterThan(report.rows[2].ssim);
    expect(report.rows.every((r) => Number.isFinite(r.msPerImage))).toBe(true);
    // per-image scores
    expect(report.images?.map((i) => i.id)).toEqual([...set.good].sort());
    // bad data is listed, not fatal
    const errs = report.errors.map((e) => `${e.id}:${e.stage}`);
    expect(errs).toContain('img_corrupt:read-images');
    expect(errs.some((e) => e.startsWith('img_lonely') && e.endsWith(':pairing'))).toBe(true);
    expect(progress.at(-1)).toBe(1);
    // files
    expect(files).toBeDefined();
    expect(JSON.parse(readFileSync(files!.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
    const html = readFileSync(files!.html, 'utf8');
    expect(html).toContain('<table id="scores">');
    expect(html).toContain('img_&lt;c&gt;'); // ids are escaped
    // offline: no external script, stylesheet, image or font (the SVG namespace URI is not fetched)
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|(src|href)="(https?:)?\/\/|url\(\s*['"]?https?:|@import/);
    expect(report.comparisons).toHaveLength(2);
    for (const c of report.comparisons) {
      for (const rel of [c.bicubic, c.hr!, ...c.sr.map((s) => s.path)]) {
        const meta = await sharp(join(reportDir, rel)).metadata();
        expect([meta.width, meta.height]).toEqual([192, 192]);
      }
      expect(c.sr.map((s) => s.tS)).toEqual([0, 300, 900]);
    }
  });

  it('refuses a t_s outside [0, 999], an empty sweep and a missing model, naming the problem', async () => {
    await expect(evaluateModel({ upscaleFn: noisyBicubic, lqDir: set.lqDir, hrDir: set.hrDir, tS: [500, 1000] })).rejects.toThrow(/t_s must be an integer in \[0, 999\], got 1000/);
    await expect(evaluateModel({ upscaleFn: noisyBicubic, lqDir: set.lqDir, hrDir: set.hrDir, tS: [] })).rejects.toThrow(/t_s list is empty/);
    await expect(evaluateModel({ lqDir: set.lqDir, hrDir: set.hrDir })).rejects.toThrow(/give a model directory/);
    await expect(evaluateModel({ upscaleFn: noisyBicubic, lqDir: join(set.root, 'nope'), hrDir: set.hrDir })).rejects.toThrow(/no such file or directory/);
  });

  it('honours limit and bicubic: false (no baseline, no comparisons without reportDir)', async () => {
    const { report, files } = await evaluateModel({ upscaleFn: noisyBicubic, lqDir: set.lqDir, hrDir: set.hrDir, tS: [500], limit: 2, bicubic: false });
    expect(report.rows[0].n).toBe(2);
    expect(report.baselines).toEqual([]);
    expect(report.comparisons).toEqual([]);
    expect(files).toBeUndefined();
    expect(existsSync(join(set.root, 'report-none'))).toBe(false);
  });
});
