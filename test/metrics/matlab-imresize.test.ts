import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromUint8, toUint8 } from '../../src/image.js';
import { bicubicUpscale, imresize, imresizePlane } from '../../src/metrics/index.js';
import { createPlane } from '../../src/metrics/plane.js';

// Values from the numpy port (tools/niqe_imresize_fixture.py -> bench/eval_crosscheck.py).
const fx = JSON.parse(readFileSync(new URL('./fixtures/imresize.json', import.meta.url), 'utf8'));
const lq = fromUint8(fx.lq_u8_hwc[0].length, fx.lq_u8_hwc.length, Uint8Array.from((fx.lq_u8_hwc as number[][][]).flat(2)));

describe('MATLAB-style bicubic imresize', () => {
  it('x4 upscale (float64) matches the numpy port to 1e-6 (float32 storage)', () => {
    const up = imresize(lq, 4);
    expect([up.width, up.height]).toEqual([24, 20]);
    const want = (fx.up4_float64_hwc_01 as number[][][]).flat(2);
    let max = 0;
    for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(up.data[i] - want[i]));
    expect(max).toBeLessThan(1e-6);
    expect(Math.min(...want)).toBeLessThan(0); // the fixture exercises bicubic overshoot
  });

  it('bicubic x4 baseline quantised to uint8 equals the numpy port byte for byte', () => {
    const up = bicubicUpscale(lq, 4);
    expect(Array.from(toUint8(up))).toEqual((fx.up4_u8_hwc as number[][][]).flat(2));
    expect(up.bitDepth).toBe(8);
  });

  it('rounds exact .5 ties away from zero, as MATLAB does for uint8 images', () => {
    const rows = fx.tie_lq_u8_hwc as number[][][];
    const tie = fromUint8(rows[0].length, rows.length, Uint8Array.from(rows.flat(2)));
    expect(fx.tie_count).toBeGreaterThan(0);
    expect(Array.from(toUint8(bicubicUpscale(tie, 4)))).toEqual((fx.tie_up4_u8_hwc as number[][][]).flat(2));
  });

  it('x0.5 antialiased downscale in BasicSR float32 arithmetic (NIQE second scale)', () => {
    const rows = fx.plane_255 as number[][];
    const p = createPlane(rows[0].length, rows.length, Float64Array.from(rows.flat(), (v) => Math.fround(v / 255)));
    const half = imresizePlane(p, 0.5, { precision: 'float32' });
    const want = (fx.half_float32_of_plane_div255 as number[][]).flat();
    expect([half.width, half.height]).toEqual([6, 5]);
    for (let i = 0; i < want.length; i++) expect(Math.abs(half.data[i] - want[i])).toBeLessThan(2e-7);
  });

  it('odd sizes: output ceil(in*scale), float64', () => {
    const rows = fx.odd_plane_01 as number[][];
    const half = imresizePlane(createPlane(9, 7, Float64Array.from(rows.flat())), 0.5);
    expect([half.width, half.height]).toEqual([5, 4]);
    const want = (fx.odd_half_float64 as number[][]).flat();
    for (let i = 0; i < want.length; i++) expect(Math.abs(half.data[i] - want[i])).toBeLessThan(1e-12);
  });

  it('keeps a constant image constant', () => {
    const flat = fromUint8(7, 5, new Uint8Array(7 * 5 * 3).fill(200));
    expect(new Set(toUint8(bicubicUpscale(flat, 4))).size).toBe(1);
    expect(toUint8(bicubicUpscale(flat, 4))[0]).toBe(200);
  });
});
