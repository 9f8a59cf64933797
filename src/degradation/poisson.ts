/**
 * Exact Poisson sampling for the Real-ESRGAN Poisson noise, where the rate takes at most 256 distinct values
 * (`λ = k·V/255`, k an 8-bit level, V a power of two ≤ 256): one inverse-CDF table per distinct rate, built
 * once per image with the recurrence `p(n) = p(n−1)·λ/n` in float64 up to a tail mass below 1e-17, and a
 * binary search per sample. One uniform per sample; no per-sample allocation.
 *
 * ```ts
 * const s = new PoissonTables();
 * const n = s.sample(12.5, rng); // ~ Poisson(12.5)
 * ```
 */
import type { Rng } from '../random/rng.js';

export class PoissonTables {
  private readonly tables = new Map<number, Float64Array>();

  /** Cumulative distribution of Poisson(λ) truncated where the remaining mass is negligible. */
  table(lambda: number): Float64Array {
    let t = this.tables.get(lambda);
    if (t) return t;
    const cdf: number[] = [];
    let p = Math.exp(-lambda);
    let acc = 0;
    for (let n = 0; ; n++) {
      if (n > 0) p = (p * lambda) / n;
      acc += p;
      cdf.push(acc);
      if (n > lambda && (1 - acc < 1e-17 || p < 1e-300)) break;
    }
    t = Float64Array.from(cdf);
    this.tables.set(lambda, t);
    return t;
  }

  /** One draw from Poisson(λ), λ ≥ 0. */
  sample(lambda: number, rng: Rng): number {
    if (lambda <= 0) return 0;
    return searchCdf(this.table(lambda), rng.random());
  }
}

/** Smallest n with cdf[n] > u (or the last index). */
export function searchCdf(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  if (u >= cdf[hi]) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
