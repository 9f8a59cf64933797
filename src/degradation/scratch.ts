/**
 * Per-thread scratch buffers for the degradation's inner temporaries (a filter's padded plane, a resize's
 * intermediate rows): one growing buffer per purpose, reused from image to image instead of allocated each time.
 * Every large typed array a pair allocates is memory V8 must collect; with several worker threads, that churn (and
 * the collections it triggers) is what made each added thread cost more CPU per pair.
 *
 * The contents are NOT zeroed: a caller writes every element it reads, and uses the buffer only inside one
 * synchronous call (the worker runs other pairs' code only across `await`s).
 */
const f32 = new Map<string, Float32Array>();
const f64 = new Map<string, Float64Array>();

/** A Float32Array of length `n` for `purpose`, overwritten by the next call with the same purpose. */
export function scratchF32(purpose: string, n: number): Float32Array {
  let b = f32.get(purpose);
  if (!b || b.length < n) f32.set(purpose, (b = new Float32Array(n)));
  return b.length === n ? b : b.subarray(0, n);
}

/** A Float64Array of length `n` for `purpose`, overwritten by the next call with the same purpose. */
export function scratchF64(purpose: string, n: number): Float64Array {
  let b = f64.get(purpose);
  if (!b || b.length < n) f64.set(purpose, (b = new Float64Array(n)));
  return b.length === n ? b : b.subarray(0, n);
}
