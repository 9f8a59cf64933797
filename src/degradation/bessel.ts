/**
 * Bessel function of the first kind of order one, J1(x), in double precision.
 *
 * Computed from Bessel's integral `J1(x) = (1/2π) ∫₀^{2π} cos(τ − x sin τ) dτ` with the trapezoidal rule on
 * `N` equally spaced nodes. The integrand is periodic and entire, so the rule converges geometrically: its
 * error is exactly the aliased terms `J_{N−1}(x) + J_{N+1}(x) − ...`, which vanish (< 1e-40) once `N` exceeds
 * |x| by a margin; we take `N = 2·ceil(|x|) + 64` (rounded to a multiple of 4, using the τ ↔ 2π−τ symmetry to
 * halve the work). What remains is floating-point rounding, ~1e-16 absolute — checked against
 * `scipy.special.j1` (Cephes) in `test/degradation/bessel.test.ts`. Used by the circular low-pass ("sinc")
 * kernel, where |x| ≤ π·10√2 ≈ 44.5.
 *
 * ```ts
 * besselJ1(1); // 0.44005058574493355
 * ```
 */
export function besselJ1(x: number): number {
  if (!Number.isFinite(x)) {
    if (Number.isNaN(x)) return NaN;
    return 0; // J1(±∞) = 0
  }
  if (x === 0) return 0;
  const ax = Math.abs(x);
  let n = 2 * Math.ceil(ax) + 64;
  n += (4 - (n % 4)) % 4;
  const h = (2 * Math.PI) / n;
  // f(τ) = cos(τ − x sin τ) satisfies f(2π − τ) = f(τ): sum τ = 0 and τ = π once, the interior twice.
  let sum = Math.cos(0) + Math.cos(Math.PI); // τ = 0 → 1, τ = π → cos(π − x·0) = −1
  for (let k = 1; k < n / 2; k++) {
    const t = k * h;
    sum += 2 * Math.cos(t - ax * Math.sin(t));
  }
  const j = sum / n;
  return x < 0 ? -j : j;
}
