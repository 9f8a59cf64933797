/**
 * The degradation pipeline's working image: three float32 planes (CHW), the layout PyTorch uses and the one
 * that lets filters and resizers run along contiguous rows. Conversions to and from the interleaved
 * {@link RgbImage} of the rest of tadsr, border index helpers, and the reflect-101 pad used before cropping.
 */
import { type RgbImage, createImage } from '../image.js';

export interface Planes {
  readonly width: number;
  readonly height: number;
  /** length 3·width·height: plane R, then G, then B; each row-major. */
  readonly data: Float32Array;
}

export function createPlanes(width: number, height: number, data?: Float32Array): Planes {
  const n = 3 * width * height;
  const buf = data ?? new Float32Array(n);
  if (buf.length !== n) throw new RangeError(`planes data has ${buf.length} values, expected ${n}`);
  return { width, height, data: buf };
}

/** Interleaved HWC → planar CHW. */
export function toPlanes(img: RgbImage): Planes {
  const { width, height, data } = img;
  const n = width * height;
  const out = new Float32Array(3 * n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    out[i] = data[j];
    out[n + i] = data[j + 1];
    out[2 * n + i] = data[j + 2];
  }
  return { width, height, data: out };
}

/** Planar CHW → interleaved HWC. */
export function fromPlanes(p: Planes, bitDepth?: 8 | 16): RgbImage {
  const n = p.width * p.height;
  const out = new Float32Array(3 * n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    out[j] = p.data[i];
    out[j + 1] = p.data[n + i];
    out[j + 2] = p.data[2 * n + i];
  }
  return createImage(p.width, p.height, out, bitDepth);
}

/**
 * Index into `[0, n)` with reflect-101 borders (OpenCV `BORDER_REFLECT_101`, PyTorch `mode='reflect'`):
 * `… 2 1 | 0 1 2 … n−1 | n−2 …`, folded as often as needed (n = 1 ⇒ 0).
 */
export function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - m;
}

/** Pad bottom/right with reflect-101 so the image is at least `minH × minW` (BasicSR's pre-crop pad). */
export function padBottomRightReflect101(p: Planes, minH: number, minW: number): Planes {
  const h = Math.max(p.height, minH);
  const w = Math.max(p.width, minW);
  if (h === p.height && w === p.width) return p;
  const out = new Float32Array(3 * h * w);
  const colMap = new Int32Array(w);
  for (let x = 0; x < w; x++) colMap[x] = reflect101(x, p.width);
  for (let c = 0; c < 3; c++) {
    const src = c * p.width * p.height;
    const dst = c * w * h;
    for (let y = 0; y < h; y++) {
      const sy = src + reflect101(y, p.height) * p.width;
      const row = dst + y * w;
      for (let x = 0; x < w; x++) out[row + x] = p.data[sy + colMap[x]];
    }
  }
  return { width: w, height: h, data: out };
}

/** Horizontal flip (mirror left-right). */
export function flipHorizontal(p: Planes): Planes {
  const { width: w, height: h } = p;
  const out = new Float32Array(p.data.length);
  for (let r = 0; r < 3 * h; r++) {
    const o = r * w;
    for (let x = 0; x < w; x++) out[o + x] = p.data[o + w - 1 - x];
  }
  return { width: w, height: h, data: out };
}

/** Copy of the rectangle (left, top, w, h). */
export function cropPlanes(p: Planes, left: number, top: number, w: number, h: number): Planes {
  if (left < 0 || top < 0 || left + w > p.width || top + h > p.height) {
    throw new RangeError(`crop ${w}x${h}+${left}+${top} outside ${p.width}x${p.height}`);
  }
  const out = new Float32Array(3 * w * h);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h; y++) {
      const s = c * p.width * p.height + (top + y) * p.width + left;
      out.set(p.data.subarray(s, s + w), c * w * h + y * w);
    }
  }
  return { width: w, height: h, data: out };
}

/** Clamp every value to [0, 1] in place. */
export function clamp01InPlace(p: Planes): Planes {
  const d = p.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    d[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return p;
}

/** `clamp(round(255·x), 0, 255)/255` in place (the final quantisation; round half to even like torch). */
export function quantise8InPlace(p: Planes): Planes {
  const d = p.data;
  for (let i = 0; i < d.length; i++) {
    const v = roundHalfEven(d[i] * 255);
    d[i] = (v < 0 ? 0 : v > 255 ? 255 : v) / 255;
  }
  return p;
}

/** Round to nearest, ties to even (`torch.round`, `numpy.round`). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
