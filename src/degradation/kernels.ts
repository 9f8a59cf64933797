/**
 * Deterministic blur kernels of the Real-ESRGAN degradation, exactly as `basicsr/data/degradations.py`
 * computes them (reference §3): Gaussian, generalized Gaussian and plateau (isotropic or anisotropic),
 * the circular low-pass ("sinc") kernel, the identity pulse, zero-padding to 21×21, and OpenCV's
 * `getGaussianKernel` used by USM sharpening.
 *
 * Conventions: a kernel is `size × size` values row-major (`k[row * size + col]`); the grid point of a cell is
 * `(x, y) = (col − c, row − c)` with `c = (size − 1)/2` (x = column offset, y = row offset, rows grow down).
 *
 * **Default `isotropic = true`** (BasicSR quirk, reference §9.1): as in BasicSR, an isotropic call ignores
 * `sigY` and `theta` and uses the covariance `sigX²·I`.
 *
 * ```ts
 * const k = bivariateGaussian(21, 2, 0.5, Math.PI / 4, false); // 21×21, sums to 1
 * ```
 */
import { besselJ1 } from './bessel.js';

/** A square kernel, row-major. */
export interface Kernel2D {
  readonly size: number;
  readonly data: Float64Array;
}

/** Inverse covariance entries (i00, i01, i10, i11) of `Σ = R diag(σx², σy²) Rᵀ` (`sigma_matrix2`). */
export function inverseSigma(sigX: number, sigY: number, theta: number, isotropic: boolean): [number, number, number, number] {
  let s00: number, s01: number, s10: number, s11: number;
  if (isotropic) {
    s00 = sigX * sigX;
    s01 = 0;
    s10 = 0;
    s11 = sigX * sigX;
  } else {
    const c = Math.cos(theta);
    const s = Math.sin(theta);
    const dx = sigX * sigX;
    const dy = sigY * sigY;
    // U D Uᵀ with U = [[c, −s], [s, c]]
    s00 = c * c * dx + s * s * dy;
    s01 = c * s * dx - s * c * dy;
    s10 = s * c * dx - c * s * dy;
    s11 = s * s * dx + c * c * dy;
  }
  const det = s00 * s11 - s01 * s10;
  return [s11 / det, -s01 / det, -s10 / det, s00 / det];
}

/** The quadratic form `Q = vᵀ Σ⁻¹ v` on the grid of a `size × size` kernel. */
function quadraticForm(size: number, sigX: number, sigY: number, theta: number, isotropic: boolean): Float64Array {
  if (size % 2 !== 1) throw new RangeError(`kernel size must be odd, got ${size}`);
  const [i00, i01, i10, i11] = inverseSigma(sigX, sigY, theta, isotropic);
  const c = (size - 1) / 2;
  const q = new Float64Array(size * size);
  for (let r = 0; r < size; r++) {
    const y = r - c;
    for (let col = 0; col < size; col++) {
      const x = col - c;
      // [x y] · Σ⁻¹ · [x y]ᵀ, in numpy's order: sum((grid · Σ⁻¹) * grid)
      q[r * size + col] = (x * i00 + y * i10) * x + (x * i01 + y * i11) * y;
    }
  }
  return q;
}

function normalise(data: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i];
  for (let i = 0; i < data.length; i++) data[i] /= s;
  return data;
}

/** `bivariate_Gaussian(kernel_size, sig_x, sig_y, theta, isotropic=True)`: `exp(−Q/2)`, normalised. */
export function bivariateGaussian(size: number, sigX: number, sigY: number, theta: number, isotropic = true): Kernel2D {
  const q = quadraticForm(size, sigX, sigY, theta, isotropic);
  for (let i = 0; i < q.length; i++) q[i] = Math.exp(-0.5 * q[i]);
  return { size, data: normalise(q) };
}

/** `bivariate_generalized_Gaussian(...)`: `exp(−½·Q^β)`, normalised. */
export function bivariateGeneralizedGaussian(
  size: number,
  sigX: number,
  sigY: number,
  theta: number,
  beta: number,
  isotropic = true,
): Kernel2D {
  const q = quadraticForm(size, sigX, sigY, theta, isotropic);
  for (let i = 0; i < q.length; i++) q[i] = Math.exp(-0.5 * Math.pow(q[i], beta));
  return { size, data: normalise(q) };
}

/** `bivariate_plateau(...)`: `1/(Q^β + 1)`, normalised. */
export function bivariatePlateau(size: number, sigX: number, sigY: number, theta: number, beta: number, isotropic = true): Kernel2D {
  const q = quadraticForm(size, sigX, sigY, theta, isotropic);
  for (let i = 0; i < q.length; i++) q[i] = 1 / (Math.pow(q[i], beta) + 1);
  return { size, data: normalise(q) };
}

/**
 * `circular_lowpass_kernel(cutoff, kernel_size, pad_to)`: `ω·J1(ω r)/(2π r)`, centre `ω²/(4π)`, normalised,
 * then zero-padded to `padTo` only when `padTo > size` (normalised before padding).
 */
export function circularLowpassKernel(cutoff: number, size: number, padTo = 0): Kernel2D {
  if (size % 2 !== 1) throw new RangeError(`kernel size must be odd, got ${size}`);
  const c = (size - 1) / 2;
  const k = new Float64Array(size * size);
  const byD2 = new Map<number, number>(); // the value depends only on the squared distance: compute each once
  for (let r = 0; r < size; r++) {
    for (let col = 0; col < size; col++) {
      const d2 = (r - c) ** 2 + (col - c) ** 2;
      let v = byD2.get(d2);
      if (v === undefined) {
        const dist = Math.sqrt(d2);
        v = (cutoff * besselJ1(cutoff * dist)) / (2 * Math.PI * dist);
        byD2.set(d2, v);
      }
      k[r * size + col] = v;
    }
  }
  k[c * size + c] = (cutoff * cutoff) / (4 * Math.PI);
  const out = { size, data: normalise(k) };
  return padTo > size ? padKernel(out, padTo) : out;
}

/** The identity filter: `size × size` zeros with 1 in the centre (`pulse_tensor`). */
export function pulseKernel(size = 21): Kernel2D {
  const data = new Float64Array(size * size);
  const c = (size - 1) / 2;
  data[c * size + c] = 1;
  return { size, data };
}

/** Zero-pad a kernel symmetrically by `(to − size)/2` on every side (`np.pad(kernel, ((p, p), (p, p)))`). */
export function padKernel(k: Kernel2D, to: number): Kernel2D {
  if (to < k.size) throw new RangeError(`cannot pad a ${k.size}×${k.size} kernel to ${to}`);
  const p = Math.floor((to - k.size) / 2);
  const out = new Float64Array(to * to);
  for (let r = 0; r < k.size; r++) out.set(k.data.subarray(r * k.size, (r + 1) * k.size), (r + p) * to + p);
  return { size: to, data: out };
}

/**
 * OpenCV `getGaussianKernel(ksize, sigma)` for `ksize > 7` (or sigma > 0): `exp(−x²/(2σ²))` normalised,
 * with `sigma ≤ 0 ⇒ σ = 0.3·((ksize − 1)/2 − 1) + 0.8`. USM uses ksize 51 ⇒ σ = 8.
 */
export function gaussianKernel1D(ksize: number, sigma = 0): Float64Array {
  const s = sigma > 0 ? sigma : 0.3 * ((ksize - 1) * 0.5 - 1) + 0.8;
  const scale2X = -0.5 / (s * s);
  const out = new Float64Array(ksize);
  let sum = 0;
  for (let i = 0; i < ksize; i++) {
    const x = i - (ksize - 1) * 0.5;
    out[i] = Math.exp(scale2X * x * x);
    sum += out[i];
  }
  for (let i = 0; i < ksize; i++) out[i] /= sum;
  return out;
}
