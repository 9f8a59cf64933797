/**
 * Test-side reference of SD's scaled-linear noise schedule, written out from the formula in float64 (independent of
 * src/schedule, so a wrong table there fails the tests that compare against it).
 */

/** ᾱ_t = ∏_{i ≤ t} (1 − β_i), β_i = (√0.00085 + (√0.012 − √0.00085)·i/999)². */
export function alphaBar(t: number): number {
  const a = Math.sqrt(0.00085);
  const b = Math.sqrt(0.012);
  let p = 1;
  for (let i = 0; i <= t; i++) p *= 1 - (a + ((b - a) * i) / 999) ** 2;
  return p;
}
