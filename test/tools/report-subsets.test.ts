/** tools/report-subsets.ts: the card's subsets of a 93-pair report, by sorted name, averaged per t_s. */
import { describe, expect, it } from 'vitest';
import { subsetMeans } from '../../tools/report-subsets.js';

describe('report subsets', () => {
  it('first12, held41 and every8 pick the sorted indices the card names, and average each t_s', () => {
    // 93 images named so that code-point order differs from insertion order; the value encodes the sorted index
    const names = Array.from({ length: 93 }, (_, i) => `img_${String(i).padStart(2, '0')}`).reverse();
    const images = names.map((id) => {
      const i = Number(id.slice(4));
      return { id, sr: [100, 500].map((tS) => ({ tS, psnr: i, ssim: tS, niqe: i % 2 })) };
    });
    const m = subsetMeans(images);
    const get = (subset: string, tS: number) => m.find((x) => x.subset === subset && x.tS === tS)!;
    expect(get('first12', 100)).toMatchObject({ n: 12, psnr: 5.5, ssim: 100, niqe: 0.5 });
    expect(get('held41', 500)).toMatchObject({ n: 41, psnr: 52, ssim: 500, niqe: 0 }); // 12, 14, … 92
    expect(get('every8', 100)).toMatchObject({ n: 12, psnr: 44, niqe: 0 }); // 0, 8, … 88
  });
});
