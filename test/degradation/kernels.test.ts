import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Kernel2D,
  bivariateGaussian,
  bivariateGeneralizedGaussian,
  bivariatePlateau,
  circularLowpassKernel,
  gaussianKernel1D,
  pulseKernel,
} from '../../src/degradation/kernels.js';
import { GOLDEN_DIR } from '../metrics/golden-path.js';

interface Case {
  function: string;
  params: Record<string, number | boolean>;
  shape: [number, number];
  sum: number;
  kernel: number[][];
}
/** BasicSR's kernels, read from ../shared (or $TADSR_SHARED) by path; the comparison is skipped without them. */
const GOLDEN_KERNELS = join(GOLDEN_DIR, 'kernels.json');
const HAVE_KERNELS = existsSync(GOLDEN_KERNELS);
if (!HAVE_KERNELS) console.warn(`${GOLDEN_KERNELS} not found: the golden kernel comparison is skipped`);
const golden = (HAVE_KERNELS ? JSON.parse(readFileSync(GOLDEN_KERNELS, 'utf8')) : { cases: {} }) as { cases: Record<string, Case> };

function compute(c: Case): Kernel2D {
  const p = c.params as Record<string, number> & { isotropic?: boolean };
  switch (c.function) {
    case 'bivariate_Gaussian':
      return bivariateGaussian(p.kernel_size, p.sig_x, p.sig_y, p.theta, p.isotropic ?? true);
    case 'bivariate_generalized_Gaussian':
      return bivariateGeneralizedGaussian(p.kernel_size, p.sig_x, p.sig_y, p.theta, p.beta, p.isotropic ?? true);
    case 'bivariate_plateau':
      return bivariatePlateau(p.kernel_size, p.sig_x, p.sig_y, p.theta, p.beta, p.isotropic ?? true);
    case 'circular_lowpass_kernel':
      return circularLowpassKernel(p.cutoff, p.kernel_size, p.pad_to ?? 0);
    case 'pulse_tensor':
      return pulseKernel(p.kernel_size);
    default:
      throw new Error(`no implementation for golden function ${c.function}`);
  }
}

describe.skipIf(!HAVE_KERNELS)('kernels match golden/kernels.json (BasicSR) to 1e-12', () => {
  const names = Object.keys(golden.cases);
  it('has cases', () => expect(names.length).toBeGreaterThanOrEqual(7));
  for (const name of names) {
    it(name, () => {
      const c = golden.cases[name];
      const k = compute(c);
      expect([k.size, k.size]).toEqual(c.shape);
      let maxDiff = 0;
      for (let r = 0; r < k.size; r++) {
        for (let col = 0; col < k.size; col++) {
          maxDiff = Math.max(maxDiff, Math.abs(k.data[r * k.size + col] - c.kernel[r][col]));
        }
      }
      expect(maxDiff).toBeLessThan(1e-12);
      expect(k.data.reduce((a, b) => a + b, 0)).toBeCloseTo(c.sum, 12);
    });
  }
});

describe('kernel conventions', () => {
  it('isotropic is the default: sigY and theta are ignored', () => {
    const a = bivariatePlateau(21, 2, 1, Math.PI / 6, 2);
    const b = bivariatePlateau(21, 2, 0.3, 1.1, 2);
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
  });
  it('theta = π/4 puts the long axis on the main diagonal (top-left → bottom-right)', () => {
    const k = bivariateGaussian(21, 3, 0.5, Math.PI / 4, false);
    const at = (r: number, c: number) => k.data[r * 21 + c];
    expect(at(7, 7)).toBeGreaterThan(100 * at(7, 13));
  });
  it('USM Gaussian (cv2.getGaussianKernel(51, 0)) has sigma 8', () => {
    const g = gaussianKernel1D(51);
    expect(g.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    // ratio of neighbours at the centre = exp(-1/(2σ²)) with σ = 8
    expect(g[26] / g[25]).toBeCloseTo(Math.exp(-1 / 128), 14);
  });
  it('sinc is not padded when pad_to <= size', () => {
    expect(circularLowpassKernel(Math.PI / 3, 13, 0).size).toBe(13);
    expect(circularLowpassKernel(Math.PI / 3, 13, 13).size).toBe(13);
  });
});
