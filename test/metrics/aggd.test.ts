import { describe, expect, it } from 'vitest';
import { aggdGrid, argminLinear, argminSorted, fitAggd } from '../../src/metrics/aggd.js';
import { gamma } from '../../src/metrics/gamma.js';

describe('gamma', () => {
  it('matches known values to ~1e-14 on the range NIQE uses', () => {
    const cases: Array<[number, number]> = [
      [5, 24],
      [0.5, Math.sqrt(Math.PI)],
      [1 / 3, 2.678938534707747], // scipy.special.gamma
      [0.1, 9.513507698668732],
      [15, 87178291200],
      [2.5, 1.329340388179137],
    ];
    for (const [x, want] of cases) expect(Math.abs(gamma(x) / want - 1)).toBeLessThan(2e-14);
  });
});

describe('AGGD grid and argmin', () => {
  const g = aggdGrid();
  it('has numpy arange(0.2, 10.001, 0.001) length and ends, and r(γ) strictly increasing', () => {
    expect(g.gam.length).toBe(9801);
    expect(g.gam[0]).toBe(0.2);
    expect(g.gam[9800]).toBeCloseTo(10, 12);
    expect(g.monotonic).toBe(true);
  });

  it('binary search gives the linear scan index (numpy argmin semantics) for grid points, midpoints and outliers', () => {
    const targets: number[] = [-1, 0, 1, 10, NaN, g.rGam[0], g.rGam[9800]];
    for (let i = 0; i < g.rGam.length; i += 7) {
      targets.push(g.rGam[i], (g.rGam[i] + (g.rGam[i + 1] ?? g.rGam[i])) / 2, g.rGam[i] * (1 + 1e-12));
    }
    let seed = 1;
    for (let i = 0; i < 2000; i++) {
      seed = (seed * 16807) % 2147483647;
      targets.push(Math.fround((seed / 2147483647) * 0.8));
    }
    for (const t of targets) expect(argminSorted(g.rGam, t)).toBe(argminLinear(g.rGam, t));
  });

  it('recovers the shape of Laplacian-like and Gaussian-like samples', () => {
    // Deterministic inverse-CDF samples: Gaussian (alpha 2) and Laplacian (alpha 1).
    const n = 20000;
    const gauss = new Float64Array(n);
    const lap = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const u = (i + 0.5) / n;
      lap[i] = Math.fround(u < 0.5 ? Math.log(2 * u) : -Math.log(2 - 2 * u));
      // Acklam-free approximation is enough: Box-Muller on a 2-D lattice.
      const u1 = ((i * 7919) % n + 0.5) / n;
      const u2 = ((i * 104729) % n + 0.5) / n;
      gauss[i] = Math.fround(Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }
    expect(fitAggd(gauss).alpha).toBeGreaterThan(1.8);
    expect(fitAggd(gauss).alpha).toBeLessThan(2.2);
    const l = fitAggd(lap);
    expect(l.alpha).toBeGreaterThan(0.9);
    expect(l.alpha).toBeLessThan(1.1);
    expect(l.betaL / l.betaR).toBeCloseTo(1, 2);
  });
});
