/**
 * A single-channel float64 image (row-major), the working type of the metric code: colour conversions turn an
 * {@link RgbImage} into planes, the metric kernels read planes.
 */
import type { RgbImage } from '../image.js';

export interface Plane {
  readonly width: number;
  readonly height: number;
  /** length = width * height, row-major. */
  readonly data: Float64Array;
}

export function createPlane(width: number, height: number, data?: Float64Array): Plane {
  const buf = data ?? new Float64Array(width * height);
  if (buf.length !== width * height) {
    throw new RangeError(`plane data has ${buf.length} values, expected ${width * height} (${width}x${height})`);
  }
  return { width, height, data: buf };
}

/** Drop `border` pixels on every side (BasicSR `img[c:-c, c:-c]`). `border = 0` returns the plane itself. */
export function cropPlane(p: Plane, border: number): Plane {
  if (border === 0) return p;
  if (!Number.isInteger(border) || border < 0) throw new RangeError(`crop border must be a non-negative integer, got ${border}`);
  const w = p.width - 2 * border;
  const h = p.height - 2 * border;
  if (w <= 0 || h <= 0) throw new RangeError(`crop border ${border} leaves nothing of a ${p.width}x${p.height} image`);
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    const src = (y + border) * p.width + border;
    out.set(p.data.subarray(src, src + w), y * w);
  }
  return createPlane(w, h, out);
}

/** Channel `c` (0 = R, 1 = G, 2 = B) of an image, each value mapped through `f` (identity by default). */
export function channelPlane(img: RgbImage, c: 0 | 1 | 2, f: (v: number) => number = (v) => v): Plane {
  const n = img.width * img.height;
  const out = new Float64Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) out[i] = f(d[3 * i + c]);
  return createPlane(img.width, img.height, out);
}

/** Both images must have the same size; a usage error otherwise. */
export function assertSameSize(a: { width: number; height: number }, b: { width: number; height: number }, what: string): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`${what}: image sizes differ (${a.width}x${a.height} vs ${b.width}x${b.height})`);
  }
}

/** numpy `rint` / torch `round`: round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
