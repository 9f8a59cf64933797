import { describe, expect, it } from 'vitest';
import { filter2D } from '../../src/degradation/filter2d.js';
import { bivariateGaussian, bivariatePlateau, circularLowpassKernel, gaussianKernel1D, padKernel, pulseKernel } from '../../src/degradation/kernels.js';
import type { Kernel2D } from '../../src/degradation/kernels.js';
import { type Planes, reflect101 } from '../../src/degradation/planes.js';
import { usmSharpen } from '../../src/degradation/usm.js';
import { fixture, maxAbsDiff } from './fixtures.js';

/** The textbook definition: reflect-101 pad by size//2, cross-correlate, float64. */
function direct(img: Planes, k: Kernel2D): Float64Array {
  const { width: w, height: h } = img;
  const r = (k.size - 1) / 2;
  const out = new Float64Array(img.data.length);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let a = -r; a <= r; a++) {
          for (let b = -r; b <= r; b++) {
            s += k.data[(a + r) * k.size + (b + r)] * img.data[c * w * h + reflect101(y + a, h) * w + reflect101(x + b, w)];
          }
        }
        out[c * w * h + y * w + x] = s;
      }
    }
  }
  return out;
}

function randomPlanes(w: number, h: number, seed = 1): Planes {
  let s = seed;
  const data = new Float32Array(3 * w * h).map(() => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  });
  return { width: w, height: h, data };
}

describe('filter2D', () => {
  const img = randomPlanes(37, 23);
  const kernels: [string, Kernel2D][] = [
    ['aniso 21 (point-symmetric)', bivariateGaussian(21, 2, 0.5, 0.7, false)],
    ['aniso 7 padded to 21 (support trimmed)', padKernel(bivariateGaussian(7, 1.2, 0.4, -1, false), 21)],
    ['plateau iso 13 (mirror-symmetric)', padKernel(bivariatePlateau(13, 1.5, 1.5, 0, 1.7), 21)],
    ['sinc 9 padded', circularLowpassKernel(1.4, 9, 21)],
    ['pulse', pulseKernel(21)],
    ['asymmetric', { size: 5, data: Float64Array.from({ length: 25 }, (_, i) => ((i * 7) % 11) / 50) }],
  ];
  for (const [name, k] of kernels) {
    for (const impl of ['auto', 'js'] as const) {
      it(`${name} (${impl}) equals the direct definition`, () => {
        const got = filter2D(img, k, { impl });
        expect(maxAbsDiff(got.data, direct(img, k))).toBeLessThan(impl === 'js' ? 1e-6 : 3e-6);
      });
    }
  }
  it('separable path (isotropic Gaussian) equals the 2-D kernel', () => {
    const k = bivariateGaussian(15, 1.8, 1.8, 0);
    const sep = { ...k, separable: gaussianKernel1D(15, 1.8) };
    for (const impl of ['auto', 'js'] as const) {
      expect(maxAbsDiff(filter2D(img, sep, { impl }).data, direct(img, k))).toBeLessThan(2e-6);
    }
  });
  it('pulse is an exact copy', () => {
    expect(Array.from(filter2D(img, pulseKernel(21)).data)).toEqual(Array.from(img.data));
  });

  const fx = fixture<{ h: number; w: number; input: number[]; cases: { name: string; kernel: number[]; out: number[] }[] }>(
    'filter2d_basicsr.json',
  );
  for (const c of fx.cases) {
    it(`matches BasicSR filter2D: ${c.name}`, () => {
      const src = { width: fx.w, height: fx.h, data: Float32Array.from(fx.input) };
      const got = filter2D(src, { size: 21, data: Float64Array.from(c.kernel) });
      const scale = Math.max(...c.out.map(Math.abs)); // the asymmetric kernel is not normalised (outputs ~100)
      expect(maxAbsDiff(got.data, c.out)).toBeLessThan(3e-6 * Math.max(1, scale));
    });
  }
});

describe('usmSharpen', () => {
  it('matches BasicSR USMSharp (float32)', () => {
    const fx = fixture<{ h: number; w: number; input: number[]; out: number[] }>('usm_basicsr.json');
    const got = usmSharpen({ width: fx.w, height: fx.h, data: Float32Array.from(fx.input) });
    expect(maxAbsDiff(got.data, fx.out)).toBeLessThan(1e-5);
  });
});
