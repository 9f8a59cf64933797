/**
 * Luma planes in the two conventions SR papers use, computed with the same floating-point steps as the Python
 * originals so that metric values match to ~1e-9:
 *
 * - {@link yBasicsr}: BasicSR `to_y_channel` (MATLAB `rgb2ycbcr`, BT.601 limited range) — float32 Y in [16, 235],
 *   **not rounded**. BasicSR assumes BGR arrays (cv2); here the coefficients are applied to R, G, B correctly,
 *   i.e. the value BasicSR gives for `img[..., ::-1]` of our RGB image.
 * - {@link yPyiqa}: pyiqa `to_y_channel(x, out_range, 'ycbcr')` on a float32 [0, 1] tensor — float32 maths
 *   (the matmul's fused multiply-adds included); multiplied by `outRange` and **rounded** when `outRange >= 255`.
 *
 * ```ts
 * const y = yPyiqa(img, 255); // what pyiqa's SSIM sees
 * ```
 */
import type { RgbImage } from '../image.js';
import { type Plane, createPlane, roundHalfEven } from './plane.js';

const f32 = Math.fround;

/** BasicSR Y×255 (float32 values, unrounded): `float32((B·24.966 + G·128.553 + R·65.481 + 16)/255)·255` in float32. */
export function yBasicsr(img: RgbImage): Plane {
  const n = img.width * img.height;
  const out = new Float64Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) {
    // np.dot(bgr_float32, [24.966, 128.553, 65.481]) in float64, + 16, / 255, cast to float32, * 255 in float32.
    const dot = d[3 * i + 2] * 24.966 + d[3 * i + 1] * 128.553 + d[3 * i] * 65.481;
    out[i] = f32(f32((dot + 16) / 255) * 255);
  }
  return createPlane(img.width, img.height, out);
}

const WR = f32(65.481);
const WG = f32(128.553);
const WB = f32(24.966);

/** pyiqa Y (color_space 'ycbcr') times `outRange`; rounded half-to-even when `outRange >= 255`. */
export function yPyiqa(img: RgbImage, outRange: number): Plane {
  const n = img.width * img.height;
  const out = new Float64Array(n);
  const d = img.data;
  const range = f32(outRange);
  for (let i = 0; i < n; i++) {
    // to_y_channel: img * 255, then rgb2ycbcr(img / 255) = (img @ W + bias) / 255, all float32.
    const r = f32(f32(d[3 * i] * 255) / 255);
    const g = f32(f32(d[3 * i + 1] * 255) / 255);
    const b = f32(f32(d[3 * i + 2] * 255) / 255);
    let s = f32(r * WR);
    s = f32(s + g * WG);
    s = f32(s + b * WB);
    const y = f32(f32(s + 16) / 255);
    const v = range === 1 ? y : f32(y * range);
    out[i] = outRange >= 255 ? roundHalfEven(v) : v;
  }
  return createPlane(img.width, img.height, out);
}
