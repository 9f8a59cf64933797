/**
 * MATLAB `imresize(x, scale, 'bicubic')` — cubic kernel with a = −0.5, kernel widened by 1/scale when shrinking
 * with antialiasing, half-sample symmetric padding, rows first then columns, output size `ceil(in·scale)`.
 * This is the resize of BasicSR's NIQE second scale and of the bicubic ×4 baseline of SR papers.
 *
 * `precision: 'float64'` is MATLAB (double). `precision: 'float32'` follows BasicSR's torch port
 * (`basicsr/utils/matlab_functions.py`): float32 weights, each pass rounded to float32.
 *
 * ```ts
 * const up = imresize(lq, 4);                       // float, may overshoot [0, 1]
 * const baseline = bicubicUpscale(lq, 4);           // quantised to 8 bits like a saved PNG
 * const half = imresizePlane(plane, 0.5, { precision: 'float32' });
 * ```
 */
import { type RgbImage, createImage, fromUint8 } from '../image.js';
import { type Plane, createPlane } from './plane.js';

export interface ImresizeOptions {
  /** Widen the kernel when shrinking (MATLAB default true). */
  readonly antialias?: boolean;
  /** Arithmetic to follow: MATLAB double (default) or BasicSR's float32 torch port. */
  readonly precision?: 'float64' | 'float32';
}

/** The contribution table of one dimension: output i reads `taps` inputs `index[i*taps + k]` with `weight[...]`. */
export interface ResizeTable {
  readonly outLength: number;
  readonly taps: number;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

function cubic(x: number, f: (v: number) => number): number {
  const ax = Math.abs(x);
  const ax2 = f(ax * ax);
  const ax3 = f(ax2 * ax);
  if (ax <= 1) return f(f(f(1.5 * ax3) - f(2.5 * ax2)) + 1);
  if (ax <= 2) return f(f(f(f(-0.5 * ax3) + f(2.5 * ax2)) - f(4 * ax)) + 2);
  return 0;
}

/** BasicSR / MATLAB `calculate_weights_indices` for one dimension, indices already mapped into [0, inLength). */
export function resizeTable(inLength: number, outLength: number, scale: number, opts: ImresizeOptions = {}): ResizeTable {
  const antialias = opts.antialias ?? true;
  const f = (opts.precision ?? 'float64') === 'float32' ? Math.fround : (v: number) => v;
  const shrinkAA = scale < 1 && antialias;
  const kernelWidth = shrinkAA ? 4 / scale : 4;
  const p = Math.ceil(kernelWidth) + 2;
  const u = new Float64Array(outLength);
  const left = new Float64Array(outLength);
  const w = new Float64Array(outLength * p);
  const zeroCount = new Int32Array(p);
  const c = 0.5 * (1 - 1 / scale);
  for (let i = 0; i < outLength; i++) {
    // x = 1..out (1-based); u = x/scale + 0.5(1 - 1/scale)
    u[i] = f(f((i + 1) / scale) + f(c));
    left[i] = Math.floor(f(u[i] - kernelWidth / 2));
    let sum = 0;
    for (let k = 0; k < p; k++) {
      const d = f(u[i] - (left[i] + k));
      const v = shrinkAA ? f(f(scale) * cubic(f(d * scale), f)) : cubic(d, f);
      w[i * p + k] = v;
      sum = f(sum + v);
    }
    for (let k = 0; k < p; k++) {
      w[i * p + k] = f(w[i * p + k] / sum);
      if (w[i * p + k] === 0) zeroCount[k]++;
    }
  }
  // BasicSR: if column 0 has a zero, keep columns 1..p-2 (drops the last too); else if the last has one, keep 0..p-3.
  let first = 0;
  let taps = p;
  if (zeroCount[0] !== 0) {
    first = 1;
    taps = p - 2;
  } else if (zeroCount[p - 1] !== 0) {
    taps = p - 2;
  }
  const index = new Int32Array(outLength * taps);
  const weight = new Float64Array(outLength * taps);
  const period = 2 * inLength;
  for (let i = 0; i < outLength; i++) {
    for (let k = 0; k < taps; k++) {
      // 1-based MATLAB index -> 0-based, then half-sample symmetric reflection (edge sample repeated).
      let j = (((left[i] + first + k - 1) % period) + period) % period;
      if (j >= inLength) j = period - 1 - j;
      index[i * taps + k] = j;
      weight[i * taps + k] = w[i * p + first + k];
    }
  }
  return { outLength, taps, index, weight };
}

const tableCache = new Map<string, ResizeTable>();

function cachedTable(inLength: number, outLength: number, scale: number, opts: ImresizeOptions): ResizeTable {
  const key = `${inLength}:${outLength}:${scale}:${opts.antialias ?? true}:${opts.precision ?? 'float64'}`;
  let t = tableCache.get(key);
  if (!t) {
    t = resizeTable(inLength, outLength, scale, opts);
    if (tableCache.size > 64) tableCache.clear();
    tableCache.set(key, t);
  }
  return t;
}

/** Resize interleaved data with `channels` values per pixel (rows first, then columns). */
function resizeInterleaved(
  src: ArrayLike<number>, width: number, height: number, channels: number, scale: number, opts: ImresizeOptions,
): { width: number; height: number; data: Float64Array } {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`imresize scale must be a positive number, got ${scale}`);
  const outH = Math.ceil(height * scale);
  const outW = Math.ceil(width * scale);
  const float32 = (opts.precision ?? 'float64') === 'float32';
  const th = cachedTable(height, outH, scale, opts);
  const tw = cachedTable(width, outW, scale, opts);
  const rowStride = width * channels;
  // Pass 1: rows (H) -> outH x width.
  const mid = new Float64Array(outH * rowStride);
  for (let i = 0; i < outH; i++) {
    const dst = i * rowStride;
    for (let k = 0; k < th.taps; k++) {
      const wgt = th.weight[i * th.taps + k];
      const s = th.index[i * th.taps + k] * rowStride;
      for (let x = 0; x < rowStride; x++) mid[dst + x] += wgt * src[s + x];
    }
  }
  if (float32) for (let x = 0; x < mid.length; x++) mid[x] = Math.fround(mid[x]);
  // Pass 2: columns (W) -> outH x outW. Offsets of each tap within a row, precomputed.
  const taps = tw.taps;
  const offs = new Int32Array(tw.index.length);
  for (let i = 0; i < offs.length; i++) offs[i] = tw.index[i] * channels;
  const wts = tw.weight;
  const out = new Float64Array(outH * outW * channels);
  for (let i = 0; i < outH; i++) {
    const srcRow = i * rowStride;
    let o = i * outW * channels;
    for (let j = 0; j < outW; j++) {
      const t0 = j * taps;
      if (channels === 3) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        for (let k = 0; k < taps; k++) {
          const w = wts[t0 + k];
          const s = srcRow + offs[t0 + k];
          a0 += w * mid[s];
          a1 += w * mid[s + 1];
          a2 += w * mid[s + 2];
        }
        out[o++] = a0;
        out[o++] = a1;
        out[o++] = a2;
      } else {
        for (let c = 0; c < channels; c++) {
          let acc = 0;
          for (let k = 0; k < taps; k++) acc += wts[t0 + k] * mid[srcRow + offs[t0 + k] + c];
          out[o++] = acc;
        }
      }
    }
  }
  if (float32) for (let x = 0; x < out.length; x++) out[x] = Math.fround(out[x]);
  return { width: outW, height: outH, data: out };
}

/** MATLAB-style bicubic resize of a single plane. */
export function imresizePlane(p: Plane, scale: number, opts: ImresizeOptions = {}): Plane {
  const r = resizeInterleaved(p.data, p.width, p.height, 1, scale, opts);
  return createPlane(r.width, r.height, r.data);
}

/** MATLAB-style bicubic resize of an RGB image (float output, unclamped: bicubic may overshoot [0, 1]). */
export function imresize(img: RgbImage, scale: number, opts: ImresizeOptions = {}): RgbImage {
  const r = resizeInterleaved(img.data, img.width, img.height, 3, scale, opts);
  return createImage(r.width, r.height, Float32Array.from(r.data));
}

/**
 * The bicubic baseline of SR papers: MATLAB `imresize(lq, scale, 'bicubic')` in double, then quantised to 8 bits
 * (clamp, round half away from zero) exactly as when the result is saved as PNG and read back. An 8-bit input is
 * resized from its exact integers, as MATLAB does with a uint8 image.
 */
export function bicubicUpscale(lq: RgbImage, scale = 4): RgbImage {
  const exact8 = lq.bitDepth === 8;
  const src = new Float64Array(lq.data.length);
  for (let i = 0; i < src.length; i++) src[i] = exact8 ? Math.round(lq.data[i] * 255) : lq.data[i] * 255;
  const r = resizeInterleaved(src, lq.width, lq.height, 3, scale, { antialias: true, precision: 'float64' });
  const bytes = new Uint8Array(r.data.length);
  for (let i = 0; i < bytes.length; i++) {
    const v = Math.round(r.data[i]);
    bytes[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return fromUint8(r.width, r.height, bytes);
}
