/**
 * The Gaussian blur of TADSR's blurred MSE: kernel size k = 5 + 4·⌊t_s/200⌋ and σ = 1 + t_s/200, so that larger
 * t_s supervise only lower frequencies of the reconstruction.
 *
 * The 1-D kernel is torchvision's `_get_gaussian_kernel1d` (x = linspace(−(k−1)/2, (k−1)/2, k),
 * exp(−x²/2σ²), normalised to sum 1); the 2-D blur is separable.
 *
 * ```ts
 * blurParamsForTs(500);        // { size: 13, sigma: 3.5 }
 * gaussianKernel1d(5, 1);      // Float32Array(5) summing to 1
 * ```
 */

export interface BlurParams {
  /** Odd kernel size. */
  readonly size: number;
  readonly sigma: number;
}

/** Kernel size and σ of the blurred-MSE Gaussian for student timestep t_s. */
export function blurParamsForTs(tS: number): BlurParams {
  return { size: 5 + 4 * Math.floor(tS / 200), sigma: 1 + tS / 200 };
}

/** Normalised 1-D Gaussian kernel of odd `size` and standard deviation `sigma` (torchvision convention). */
export function gaussianKernel1d(size: number, sigma: number): Float32Array {
  if (!Number.isInteger(size) || size < 1 || size % 2 === 0) throw new RangeError(`kernel size must be a positive odd integer, got ${size}`);
  if (!(sigma > 0)) throw new RangeError(`sigma must be > 0, got ${sigma}`);
  const half = (size - 1) / 2;
  const k = new Float64Array(size);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const x = i - half;
    k[i] = Math.exp(-0.5 * (x / sigma) ** 2);
    sum += k[i];
  }
  return Float32Array.from(k, (v) => v / sum);
}
