import { describe, expect, it } from 'vitest';
import { flopsOf, ShapeOps } from '../../src/models/flops.js';
import { presets } from '../../src/models/presets.js';

describe('flopsOf', () => {
  it('counts a conv as 2·B·O·Ho·Wo·I·kh·kw and tracks shapes', () => {
    const ops = new ShapeOps();
    expect(ops.conv2d([2, 3, 9, 8], [5, 3, 3, 3], [5], { stride: 2, pads: [0, 0, 1, 1] })).toEqual([2, 5, 4, 4]);
    expect(ops.count.dense).toBe(2 * 2 * 5 * 4 * 4 * 3 * 3 * 3);
    expect(() => ops.conv2d([1, 4, 8, 8], [5, 3, 3, 3], null)).toThrow(/4 channels/);
  });

  it('the student is the sum of its parts (plus the one-step arithmetic)', () => {
    const s = presets.small;
    const parts = (['timeAwareEncoder', 'unet', 'vaeDecoder'] as const).map((g) => flopsOf(s, g, 512, 512).dense);
    expect(flopsOf(s, 'student', 512, 512).dense).toBe(parts.reduce((a, b) => a + b, 0));
  });

  it('SD 2.1-base UNet at 64×64 latent: about 0.8 TFLOP (≈0.4 T multiply-adds, as commonly cited)', () => {
    const f = flopsOf(presets['sd21-base'], 'unet', 512, 512);
    expect(f.dense / 1e12).toBeGreaterThan(0.7);
    expect(f.dense / 1e12).toBeLessThan(0.9);
  });
});
