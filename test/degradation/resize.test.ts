import { describe, expect, it } from 'vitest';
import { type ResizeMode, axisWeights, resizePlanes } from '../../src/degradation/resize.js';
import { fixture, maxAbsDiff } from './fixtures.js';

interface Case {
  mode: ResizeMode;
  scale_factor?: number;
  size?: [number, number];
  out_h: number;
  out_w: number;
  out: number[];
}
const fx = fixture<{ in_h: number; in_w: number; input: number[]; cases: Case[] }>('resize_torch.json');

describe('resizePlanes = torch.nn.functional.interpolate (align_corners=False, no antialias)', () => {
  const img = { width: fx.in_w, height: fx.in_h, data: Float32Array.from(fx.input) };
  for (const c of fx.cases) {
    const label = c.scale_factor !== undefined ? `scale_factor=${c.scale_factor}` : `size=${c.size?.join('x')}`;
    it(`${c.mode} ${label}`, () => {
      if (c.scale_factor !== undefined) {
        // the first Real-ESRGAN resize: output floor(in·s), coordinate scale 1/s
        expect([Math.floor(fx.in_h * c.scale_factor), Math.floor(fx.in_w * c.scale_factor)]).toEqual([c.out_h, c.out_w]);
      }
      const out = resizePlanes(img, c.out_w, c.out_h, c.mode, c.scale_factor);
      // float32 storage of the input/output bounds the agreement (torch ran in float64)
      expect(maxAbsDiff(out.data, c.out)).toBeLessThan(2e-7);
    });
  }
  it('weights of every output sum to 1', () => {
    for (const mode of ['area', 'bilinear', 'bicubic'] as const) {
      const a = axisWeights(37, 11, mode);
      for (let i = 0; i < 11; i++) {
        let s = 0;
        for (let k = 0; k < a.taps; k++) s += a.weight[i * a.taps + k];
        expect(s).toBeCloseTo(1, 12);
      }
    }
  });
});
