/**
 * The Gaussian windows of the SSIM conventions.
 *
 * - {@link cvGaussianKernel}: OpenCV `getGaussianKernel(n, sigma)` (float64, normalised) — BasicSR SSIM uses
 *   its outer product, which is exactly separable.
 * - {@link fspecialGaussian}: pyiqa / MATLAB `fspecial('gaussian', n, sigma)` — 2-D, tiny values cut at
 *   `eps·max`, normalised, then cast to float32 (so it is *not* exactly separable).
 */

/** OpenCV `getGaussianKernel(n, sigma)` for sigma > 0, float64. */
export function cvGaussianKernel(n: number, sigma: number): Float64Array {
  const out = new Float64Array(n);
  const scale2X = -0.5 / (sigma * sigma);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = i - (n - 1) * 0.5;
    out[i] = Math.exp(scale2X * x * x);
    sum += out[i];
  }
  const inv = 1 / sum;
  for (let i = 0; i < n; i++) out[i] *= inv;
  return out;
}

/** pyiqa `fspecial(n, sigma)`: n×n row-major, values float32-rounded. */
export function fspecialGaussian(n: number, sigma: number): Float64Array {
  const m = (n - 1) / 2;
  const h = new Float64Array(n * n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const y = i - m;
      const x = j - m;
      const v = Math.exp(-(x * x + y * y) / (2 * sigma * sigma));
      h[i * n + j] = v;
      if (v > max) max = v;
    }
  }
  const eps = 2.220446049250313e-16;
  let sum = 0;
  for (let i = 0; i < h.length; i++) {
    if (h[i] < eps * max) h[i] = 0;
    sum += h[i];
  }
  if (sum !== 0) for (let i = 0; i < h.length; i++) h[i] = Math.fround(h[i] / sum);
  return h;
}
