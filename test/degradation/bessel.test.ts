import { describe, expect, it } from 'vitest';
import { besselJ1 } from '../../src/degradation/bessel.js';
import { fixture } from './fixtures.js';

describe('besselJ1', () => {
  const { x, j1 } = fixture<{ x: number[]; j1: number[] }>('bessel_j1.json');
  it(`matches scipy.special.j1 at ${x.length} points to 1e-14`, () => {
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(besselJ1(x[i]) - j1[i]));
    expect(worst).toBeLessThan(1e-14);
  });
  it('is odd, zero at 0, and has its first zero at 3.8317…', () => {
    expect(besselJ1(0)).toBe(0);
    expect(besselJ1(-2.5)).toBe(-besselJ1(2.5));
    expect(Math.abs(besselJ1(3.8317059702075125))).toBeLessThan(1e-15);
    expect(besselJ1(Number.POSITIVE_INFINITY)).toBe(0);
  });
});
