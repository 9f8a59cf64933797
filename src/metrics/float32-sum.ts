/**
 * numpy's float32 `sum` / `mean`: pairwise summation (blocks of 128, 8 accumulators) with every addition rounded
 * to float32, so that NIQE's AGGD statistics follow BasicSR bit for bit.
 */
const f32 = Math.fround;

/** `np.add.reduce(a[off:off+n])` for float32 data held in a Float64Array. */
export function pairwiseSumF32(a: Float64Array, off: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = f32(res + a[off + i]);
    return res;
  }
  if (n <= 128) {
    let r0 = a[off], r1 = a[off + 1], r2 = a[off + 2], r3 = a[off + 3];
    let r4 = a[off + 4], r5 = a[off + 5], r6 = a[off + 6], r7 = a[off + 7];
    let i = 8;
    const end = n - (n % 8);
    for (; i < end; i += 8) {
      const o = off + i;
      r0 = f32(r0 + a[o]); r1 = f32(r1 + a[o + 1]); r2 = f32(r2 + a[o + 2]); r3 = f32(r3 + a[o + 3]);
      r4 = f32(r4 + a[o + 4]); r5 = f32(r5 + a[o + 5]); r6 = f32(r6 + a[o + 6]); r7 = f32(r7 + a[o + 7]);
    }
    let res = f32(f32(f32(r0 + r1) + f32(r2 + r3)) + f32(f32(r4 + r5) + f32(r6 + r7)));
    for (; i < n; i++) res = f32(res + a[off + i]);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return f32(pairwiseSumF32(a, off, n2) + pairwiseSumF32(a, off + n2, n - n2));
}

/** `np.mean` of float32 values: float32 pairwise sum, divided by n, rounded to float32; NaN when n = 0. */
export function meanF32(a: Float64Array, n: number): number {
  return n === 0 ? NaN : f32(pairwiseSumF32(a, 0, n) / n);
}
