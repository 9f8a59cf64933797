import { describe, expect, it } from 'vitest';
import { createImage, type RgbImage } from '../../src/image.js';
import { artefactStats, borderRatio, chromaRatio, chromaShift, flatTexture, overshoot } from '../../src/metrics/artefacts.js';

function image(w: number, h: number, f: (x: number, y: number) => [number, number, number]): RgbImage {
  const d = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d.set(f(x, y), 3 * (y * w + x));
  return createImage(w, h, d);
}

describe('artefact statistics', () => {
  it('flatTexture: stripes painted on a flat area count, stripes that the reference has do not', () => {
    const flat = image(32, 32, () => [0.5, 0.5, 0.5]);
    const stripes = image(32, 32, (_x, y) => (y % 2 ? [0.52, 0.52, 0.52] : [0.48, 0.48, 0.48]));
    expect(flatTexture(flat, flat).flatFraction).toBe(1);
    expect(flatTexture(flat, flat).texture).toBeCloseTo(0, 4);
    // ±0.02 → std 0.02 · 255 = 5.1 levels
    expect(flatTexture(stripes, flat).texture).toBeCloseTo(5.1, 3);
    // where the reference itself is textured, the block is not flat and is left out
    const r = flatTexture(stripes, stripes);
    expect(r.flatFraction).toBe(0);
    expect(Number.isNaN(r.texture)).toBe(true);
    expect(artefactStats(stripes, flat).flatTexture).toBeCloseTo(5.1, 3);
  });

  it('borderRatio: 1 on a flat image, names the darkened side', () => {
    const flat = image(32, 24, () => [0.6, 0.6, 0.6]);
    expect(borderRatio(flat)).toEqual({ top: 1, bottom: 1, left: 1, right: 1 });
    const darkLeft = image(32, 24, (x) => (x < 2 ? [0.3, 0.3, 0.3] : [0.6, 0.6, 0.6]));
    const r = borderRatio(darkLeft);
    expect(r.left).toBeCloseTo(0.5, 6);
    expect(r.right).toBeCloseTo(1, 6);
    expect(r.top).toBeCloseTo(1, 6);
    // a gradient is not a border artefact: each band is compared with its neighbour, not the global mean
    const ramp = image(64, 16, (x) => [x / 63, x / 63, x / 63]);
    expect(borderRatio(ramp).right).toBeGreaterThan(0.9);
    expect(() => borderRatio(image(6, 6, () => [0, 0, 0]))).toThrow(/too small/);
  });

  it('overshoot: fraction of values beyond the reference range plus margin', () => {
    const ref = image(4, 4, (x) => [0.2 + 0.1 * x, 0.5, 0.5]);
    expect(overshoot(ref, ref)).toBe(0);
    const hot = image(4, 4, (x, y) => (x === 0 && y === 0 ? [1, 0.5, 0.5] : [0.3, 0.5, 0.5]));
    expect(overshoot(hot, ref)).toBeCloseTo(1 / 48, 9);
    expect(overshoot(hot, ref, 1)).toBe(0);
  });

  it('chromaRatio: 1 for the same colours, 0 for grey, NaN against a grey reference', () => {
    const red = image(8, 8, () => [0.8, 0.2, 0.2]);
    const grey = image(8, 8, () => [0.4, 0.4, 0.4]);
    const half = image(8, 8, () => [0.5, 0.2, 0.2]);
    expect(chromaRatio(red, red)).toBeCloseTo(1, 9);
    expect(chromaRatio(grey, red)).toBeCloseTo(0, 9);
    expect(chromaRatio(half, red)).toBeCloseTo(0.5, 6);
    expect(chromaRatio(red, grey)).toBeNaN();
  });

  it('chromaShift: block-mean colour distance in levels; a blotch counts, colour noise finer than a block does not', () => {
    const grey = image(32, 32, () => [0.5, 0.5, 0.5]);
    expect(chromaShift(grey, grey)).toBe(0);
    // +0.1 blue in the top-left 16×16 block: ΔCb = 0.05, ΔCr = −0.0081312 there, 0 in the other three blocks
    const blotch = image(32, 32, (x, y) => (x < 16 && y < 16 ? [0.5, 0.5, 0.6] : [0.5, 0.5, 0.5]));
    const one = 255 * Math.hypot(0.05, 0.0081312);
    expect(chromaShift(blotch, grey)).toBeCloseTo(one / 4, 5);
    expect(chromaShift(grey, blotch)).toBeCloseTo(one / 4, 5);
    // half of the block shifted: half the block mean
    const half = image(32, 32, (x, y) => (x < 8 && y < 16 ? [0.5, 0.5, 0.6] : [0.5, 0.5, 0.5]));
    expect(chromaShift(half, grey)).toBeCloseTo(one / 8, 5);
    // ± blue alternating per pixel: every block's mean is grey
    const noise = image(32, 32, (x) => (x % 2 ? [0.5, 0.5, 0.6] : [0.5, 0.5, 0.4]));
    expect(chromaShift(noise, grey)).toBeCloseTo(0, 4);
    // a brightness change is not a colour shift
    expect(chromaShift(image(32, 32, () => [0.7, 0.7, 0.7]), grey)).toBeCloseTo(0, 4);
    expect(artefactStats(blotch, grey).chromaShift).toBeCloseTo(one / 4, 5);
    expect(() => chromaShift(grey, image(16, 16, () => [0.5, 0.5, 0.5]))).toThrow(/32x32 against 16x16/);
    expect(() => chromaShift(image(8, 8, () => [0, 0, 0]), image(8, 8, () => [0, 0, 0]))).toThrow(/smaller than one 16×16 block/);
  });

  it('artefactStats refuses mismatched sizes', () => {
    const a = image(16, 16, () => [0.5, 0.5, 0.5]);
    expect(() => artefactStats(a, image(8, 8, () => [0.5, 0.5, 0.5]))).toThrow(/16x16 output against a 8x8/);
    expect(artefactStats(a, a)).toMatchObject({ border: { top: 1, bottom: 1, left: 1, right: 1 }, overshoot: 0, chroma: Number.NaN });
    expect(artefactStats(a, a).flatTexture).toBeCloseTo(0, 4);
  });
});
