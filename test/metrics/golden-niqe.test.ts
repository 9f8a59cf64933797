import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromUint8 } from '../../src/image.js';
import { niqe, niqeFeatures, niqeFromFeatures } from '../../src/metrics/index.js';
import { GOLDEN_DIR, HAVE_GOLDEN } from './golden-path.js';

describe.skipIf(!HAVE_GOLDEN)('NIQE against golden/niqe.json (BasicSR convention)', () => {
  const golden = HAVE_GOLDEN ? JSON.parse(readFileSync(join(GOLDEN_DIR, 'niqe.json'), 'utf8')) : undefined;
  const img = HAVE_GOLDEN
    ? fromUint8(golden.image[0].length, golden.image.length, Uint8Array.from((golden.image as number[][][]).flat(2)))
    : fromUint8(1, 1, new Uint8Array(3));

  it('per-block features: scale 1 bit-exact in practice, scale 2 within the float32 imresize noise', () => {
    const f = niqeFeatures(img);
    const want = golden.features_36_scale1_then_scale2_per_block_column_major as number[][];
    expect([f.blocksH, f.blocksW]).toEqual([2, 3]);
    expect(f.features.length).toBe(want.length);
    for (let b = 0; b < want.length; b++) {
      for (let c = 0; c < 36; c++) {
        const tol = c < 18 ? 1e-9 : 1e-5;
        const d = Math.abs(f.features[b][c] - want[b][c]);
        if (!(d <= tol)) throw new Error(`block ${b} feature ${c}: ${f.features[b][c]} vs golden ${want[b][c]}`);
      }
    }
    // The NIQE of the golden features themselves checks the MVG / pinv part on its own.
    const fromGolden = niqeFromFeatures({ blocksW: 3, blocksH: 2, features: want.map((r) => Float64Array.from(r)) });
    expect(Math.abs(fromGolden - golden.basicsr_niqe_y_ycbcr)).toBeLessThan(1e-9);
  });

  it('NIQE value within 1e-3', () => {
    expect(Math.abs(niqe(img) - golden.basicsr_niqe_y_ycbcr)).toBeLessThan(1e-3);
  });
});

describe('NIQE edge cases', () => {
  it('refuses images under 96x96 after cropping', () => {
    const img = fromUint8(100, 100, new Uint8Array(100 * 100 * 3).fill(128));
    expect(() => niqe(img, { cropBorder: 4 })).toThrow(/at least 96x96/);
  });
  it('a flat image has NaN features (numpy semantics) and a NaN score, not a crash', () => {
    const img = fromUint8(192, 192, new Uint8Array(192 * 192 * 3).fill(77));
    const f = niqeFeatures(img);
    expect(f.features[0][0]).toBeCloseTo(0.2, 12); // argmin over an all-NaN array is index 0
    expect(Number.isNaN(f.features[0][1])).toBe(true);
    expect(Number.isNaN(niqe(img))).toBe(true);
  });
});
