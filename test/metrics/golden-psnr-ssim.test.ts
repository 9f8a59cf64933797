import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromUint8, type RgbImage } from '../../src/image.js';
import { psnr, ssim } from '../../src/metrics/index.js';
import { GOLDEN_DIR, HAVE_GOLDEN } from './golden-path.js';

const TOL = 1e-6;

function image(a: number[][][]): RgbImage {
  return fromUint8(a[0].length, a.length, Uint8Array.from(a.flat(2)));
}

describe.skipIf(!HAVE_GOLDEN)('PSNR / SSIM against golden/metrics.json', () => {
  const golden = HAVE_GOLDEN ? JSON.parse(readFileSync(join(GOLDEN_DIR, 'metrics.json'), 'utf8')) : undefined;
  const gt = HAVE_GOLDEN ? image(golden.gt) : (undefined as unknown as RgbImage);
  const sr = HAVE_GOLDEN ? image(golden.sr) : (undefined as unknown as RgbImage);

  for (const crop of [0, 4]) {
    it(`BasicSR convention, crop_border ${crop}`, () => {
      const g = golden.values[`crop${crop}`];
      const o = { convention: 'basicsr' as const, cropBorder: crop };
      expect(Math.abs(psnr(gt, sr, { ...o, yChannel: false }) - g.basicsr_psnr_rgb)).toBeLessThan(TOL);
      expect(Math.abs(psnr(gt, sr, o) - g.basicsr_psnr_y)).toBeLessThan(TOL);
      expect(Math.abs(ssim(gt, sr, { ...o, yChannel: false }) - g.basicsr_ssim_rgb)).toBeLessThan(TOL);
      expect(Math.abs(ssim(gt, sr, o) - g.basicsr_ssim_y)).toBeLessThan(TOL);
    });
  }

  it('pyiqa convention (OSEDiff: Y of YCbCr, no crop), and its RGB variants', () => {
    const p = golden.values.pyiqa_crop0 as Record<string, number>;
    const value = (prefix: string): number => p[Object.keys(p).find((k) => k.startsWith(prefix)) as string];
    expect(Math.abs(psnr(sr, gt) - value('pyiqa_psnr_y'))).toBeLessThan(TOL);
    expect(Math.abs(ssim(sr, gt) - value('pyiqa_ssim_y'))).toBeLessThan(TOL);
    expect(Math.abs(psnr(sr, gt, { yChannel: false }) - value('pyiqa_psnr_rgb'))).toBeLessThan(TOL);
    expect(Math.abs(ssim(sr, gt, { yChannel: false }) - value('pyiqa_ssimc'))).toBeLessThan(TOL);
  });

  it('the conventions differ where the reference says they do', () => {
    // Rounded Y (pyiqa) vs unrounded Y (BasicSR): 0.741131 vs 0.741418; eps in pyiqa PSNR: ~1e-4 dB lower.
    expect(ssim(sr, gt) - ssim(sr, gt, { convention: 'basicsr' })).toBeLessThan(-1e-4);
    const d = psnr(sr, gt) - psnr(sr, gt, { convention: 'basicsr' });
    expect(d).toBeLessThan(0);
    expect(d).toBeGreaterThan(-1e-3);
  });

  it('identity: BasicSR PSNR is infinite, SSIM 1; pyiqa PSNR saturates at 80 dB', () => {
    expect(psnr(gt, gt, { convention: 'basicsr', yChannel: false })).toBe(Infinity);
    expect(ssim(gt, gt, { convention: 'basicsr', yChannel: false })).toBeCloseTo(1, 12);
    expect(psnr(gt, gt)).toBeCloseTo(golden.values.identity['pyiqa_psnr_y(gt,gt)'], 9);
  });
});

describe('PSNR / SSIM usage errors', () => {
  it('rejects images of different sizes', () => {
    const a = fromUint8(16, 16, new Uint8Array(16 * 16 * 3));
    const b = fromUint8(16, 15, new Uint8Array(16 * 15 * 3));
    expect(() => psnr(a, b)).toThrow(/sizes differ/);
    expect(() => ssim(a, b)).toThrow(/sizes differ/);
  });
  it('rejects SSIM on images smaller than the 11x11 window', () => {
    const a = fromUint8(8, 8, new Uint8Array(8 * 8 * 3));
    expect(() => ssim(a, a)).toThrow(/at least 11x11/);
  });
});
