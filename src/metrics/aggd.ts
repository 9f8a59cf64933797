/**
 * Asymmetric generalised Gaussian (AGGD) fit of NIQE (BasicSR `estimate_aggd_param`): moment matching against
 * the grid γ = 0.2, 0.201, … 10 (9801 values) of r(γ) = Γ(2/γ)² / (Γ(1/γ)Γ(3/γ)).
 *
 * The grid is built once. r(γ) is strictly increasing on it (checked when built), so the argmin of
 * (r(γ) − R̂)² is found by binary search with numpy's tie rule (first index of the minimum); a linear scan is
 * kept as the fallback and for tests. Statistics follow BasicSR's float32 arithmetic (numpy pairwise sums).
 *
 * ```ts
 * const { alpha, betaL, betaR } = fitAggd(values, values.length);
 * ```
 */
import { meanF32 } from './float32-sum.js';
import { gamma } from './gamma.js';

const f32 = Math.fround;
const sq = (d: number): number => d * d;

export interface AggdFit {
  readonly alpha: number;
  readonly betaL: number;
  readonly betaR: number;
  /** Grid index of alpha (for the Γ ratios below). */
  readonly index: number;
}

export interface AggdGrid {
  readonly gam: Float64Array;
  readonly rGam: Float64Array;
  /** sqrt(Γ(1/α)/Γ(3/α)) per grid value (the β scale). */
  readonly betaScale: Float64Array;
  /** Γ(2/α)/Γ(1/α) per grid value (NIQE's mean feature). */
  readonly meanScale: Float64Array;
  readonly monotonic: boolean;
}

let grid: AggdGrid | undefined;

/** The γ grid exactly as `np.arange(0.2, 10.001, 0.001)` builds it (start + i·(a[1] − a[0])). */
export function aggdGrid(): AggdGrid {
  if (grid) return grid;
  const start = 0.2;
  const n = Math.ceil((10.001 - 0.2) / 0.001);
  const delta = start + 0.001 - start;
  const gam = new Float64Array(n);
  const rGam = new Float64Array(n);
  const betaScale = new Float64Array(n);
  const meanScale = new Float64Array(n);
  let monotonic = true;
  for (let i = 0; i < n; i++) {
    gam[i] = i === 0 ? start : start + i * delta;
    const rec = 1 / gam[i];
    const g2 = gamma(rec * 2);
    rGam[i] = (g2 * g2) / (gamma(rec) * gamma(rec * 3));
    const a = gam[i];
    betaScale[i] = Math.sqrt(gamma(1 / a) / gamma(3 / a));
    meanScale[i] = gamma(2 / a) / gamma(1 / a);
    if (i > 0 && !(rGam[i] > rGam[i - 1])) monotonic = false;
  }
  grid = { gam, rGam, betaScale, meanScale, monotonic };
  return grid;
}

/** numpy `argmin((rGam - target)**2)`, linear scan (NaN target → 0, like numpy with an all-NaN array). */
export function argminLinear(rGam: Float64Array, target: number): number {
  if (Number.isNaN(target)) return 0;
  let best = 0;
  let bestV = sq(rGam[0] - target);
  for (let i = 1; i < rGam.length; i++) {
    const v = sq(rGam[i] - target);
    if (v < bestV) {
      bestV = v;
      best = i;
    }
  }
  return best;
}

/** Same result as {@link argminLinear} for a strictly increasing grid, in O(log n). */
export function argminSorted(rGam: Float64Array, target: number): number {
  if (Number.isNaN(target)) return 0;
  // First index with rGam[i] >= target.
  let lo = 0;
  let hi = rGam.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rGam[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  // The minimum of the (unimodal) squared distance is at lo-1 or lo; equal values form a run: take its first.
  let best = Math.min(lo, rGam.length - 1);
  if (lo > 0 && sq(rGam[lo - 1] - target) <= sq(rGam[best] - target)) best = lo - 1;
  const v = sq(rGam[best] - target);
  while (best > 0 && sq(rGam[best - 1] - target) === v) best--;
  return best;
}

let scratch = new Float64Array(0);

/**
 * Fit an AGGD to `n` float32 values (held in a Float64Array). Empty sides give NaN β (numpy's mean of nothing),
 * and then α = 0.2 (numpy's argmin of an all-NaN array), as in BasicSR.
 */
export function fitAggd(values: Float64Array, n: number = values.length): AggdFit {
  const g = aggdGrid();
  if (scratch.length < 4 * n) scratch = new Float64Array(4 * n);
  const left = scratch.subarray(0, n);
  const right = scratch.subarray(n, 2 * n);
  const abs = scratch.subarray(2 * n, 3 * n);
  const sq = scratch.subarray(3 * n, 4 * n);
  let nl = 0;
  let nr = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    const x2 = f32(x * x);
    if (x < 0) left[nl++] = x2;
    else if (x > 0) right[nr++] = x2;
    abs[i] = Math.abs(x);
    sq[i] = x2;
  }
  const leftStd = f32(Math.sqrt(meanF32(left, nl)));
  const rightStd = f32(Math.sqrt(meanF32(right, nr)));
  const gh = f32(leftStd / rightStd);
  const mAbs = meanF32(abs, n);
  const rhat = f32(f32(mAbs * mAbs) / meanF32(sq, n));
  const gh2 = f32(gh * gh);
  const gh3 = f32(Math.pow(gh, 3));
  const num = f32(f32(rhat * f32(gh3 + 1)) * f32(gh + 1));
  const den = f32(f32(gh2 + 1) * f32(gh2 + 1));
  const rhatNorm = f32(num / den);
  const index = g.monotonic ? argminSorted(g.rGam, rhatNorm) : argminLinear(g.rGam, rhatNorm);
  return { alpha: g.gam[index], betaL: leftStd * g.betaScale[index], betaR: rightStd * g.betaScale[index], index };
}
