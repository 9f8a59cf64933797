/**
 * Symmetric eigen-decomposition (cyclic Jacobi, float64) and the Moore–Penrose pseudo-inverse built on it, with
 * numpy's default cut-off (`np.linalg.pinv(a)`: singular values ≤ 1e-15 · max are treated as zero). For a
 * symmetric matrix the singular values are |λ|, so V·diag(1/λ)·Vᵀ over the kept λ equals numpy's SVD result.
 *
 * ```ts
 * const inv = pinvSymmetric(m, 36); // m: row-major 36×36 Float64Array
 * ```
 */

export interface SymmetricEigen {
  /** Eigenvalues, unsorted. */
  readonly values: Float64Array;
  /** Eigenvectors as columns, row-major n×n: v[i*n + k] is component i of vector k. */
  readonly vectors: Float64Array;
}

/** Eigen-decomposition of a symmetric n×n matrix (row-major); the input is not modified. */
export function jacobiEigen(m: Float64Array, n: number, maxSweeps = 100): SymmetricEigen {
  if (m.length !== n * n) throw new RangeError(`matrix has ${m.length} values, expected ${n}x${n}`);
  const a = Float64Array.from(m);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p * n + p] * a[p * n + p];
      for (let q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
    }
    // Converged when the off-diagonal mass is below float64 resolution of the diagonal.
    if (off === 0 || off < 1e-36 * diag) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const app = a[p * n + p];
        const aqq = a[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        if (!Number.isFinite(t) || t === 0) {
          // |theta| overflowed: the rotation is the identity up to rounding; zero the entry.
          a[p * n + q] = 0;
          a[q * n + p] = 0;
          continue;
        }
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0;
        a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return { values, vectors: v };
}

/** Pseudo-inverse of a symmetric n×n matrix, cut-off `rcond · max|λ|` (numpy default rcond = 1e-15). */
export function pinvSymmetric(m: Float64Array, n: number, rcond = 1e-15): Float64Array {
  const { values, vectors } = jacobiEigen(m, n);
  let max = 0;
  for (const l of values) max = Math.max(max, Math.abs(l));
  const cutoff = rcond * max;
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const l = values[k];
    if (!(Math.abs(l) > cutoff)) continue;
    const inv = 1 / l;
    for (let i = 0; i < n; i++) {
      const vi = vectors[i * n + k] * inv;
      if (vi === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += vi * vectors[j * n + k];
    }
  }
  return out;
}
