import { describe, expect, it } from 'vitest';
import { jacobiEigen, pinvSymmetric } from '../../src/metrics/pinv.js';

function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) out[i * n + j] += a[i * n + k] * b[k * n + j];
  return out;
}

function randomGram(n: number, rank: number, seed: number): Float64Array {
  let s = seed;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
  const b = Array.from({ length: n * rank }, rnd);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < rank; k++) m[i * n + j] += b[i * rank + k] * b[j * rank + k];
  return m;
}

const maxAbsDiff = (a: Float64Array, b: Float64Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('symmetric pseudo-inverse (Jacobi)', () => {
  it('decomposes: V diag(λ) Vᵀ = A', () => {
    const n = 36;
    const a = randomGram(n, n, 3);
    const { values, vectors } = jacobiEigen(a, n);
    const back = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) back[i * n + j] += vectors[i * n + k] * values[k] * vectors[j * n + k];
    expect(maxAbsDiff(back, a)).toBeLessThan(1e-12);
  });

  it('inverts a full-rank 36x36 matrix', () => {
    const n = 36;
    const a = randomGram(n, n, 5);
    const eye = new Float64Array(n * n);
    for (let i = 0; i < n; i++) eye[i * n + i] = 1;
    expect(maxAbsDiff(matmul(a, pinvSymmetric(a, n), n), eye)).toBeLessThan(1e-8);
  });

  it('satisfies the Moore–Penrose conditions on a rank-5 matrix (like a 6-block NIQE covariance)', () => {
    const n = 36;
    const a = randomGram(n, 5, 11);
    const p = pinvSymmetric(a, n);
    expect(maxAbsDiff(matmul(matmul(a, p, n), a, n), a)).toBeLessThan(1e-12);
    expect(maxAbsDiff(matmul(matmul(p, a, n), p, n), p)).toBeLessThan(1e-8 * Math.max(...p.map(Math.abs)));
  });
});
