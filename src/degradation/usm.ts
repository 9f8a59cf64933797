/**
 * Unsharp masking as BasicSR's `USMSharp` (radius 50 ⇒ 51×51 Gaussian, σ = 8; weight 0.5, threshold 10):
 * `res = I − blur(I)`, `mask = |res|·255 > threshold`, `soft = blur(mask)`,
 * `out = soft·clip(I + weight·res, 0, 1) + (1 − soft)·I`. The Gaussian is exactly `g gᵀ`, so both blurs run
 * separably. Real-ESRGAN degrades the sharpened GT; the OSEDiff variant (tadsr's default) does not sharpen.
 *
 * ```ts
 * const sharp = usmSharpen(planes);
 * ```
 */
import { filter2D } from './filter2d.js';
import { gaussianKernel1D } from './kernels.js';
import type { Planes } from './planes.js';

export function usmSharpen(img: Planes, weight = 0.5, threshold = 10, radius = 50): Planes {
  // BasicSR: `if radius % 2 == 0: radius += 1` — the radius *is* the kernel size (50 → 51).
  const size = radius % 2 === 0 ? radius + 1 : radius;
  const g = gaussianKernel1D(size, 0);
  const data = new Float64Array(size * size);
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) data[r * size + c] = g[r] * g[c];
  const kernel = { size, data, separable: g };
  const blur = filter2D(img, kernel);
  const n = img.data.length;
  const residual = new Float32Array(n);
  const mask = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = img.data[i] - blur.data[i];
    residual[i] = r;
    mask[i] = Math.abs(r) * 255 > threshold ? 1 : 0;
  }
  const soft = filter2D({ width: img.width, height: img.height, data: mask }, kernel).data;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = img.data[i] + weight * residual[i];
    s = s < 0 ? 0 : s > 1 ? 1 : s;
    out[i] = soft[i] * s + (1 - soft[i]) * img.data[i];
  }
  return { width: img.width, height: img.height, data: out };
}
