/**
 * `torch.nn.functional.interpolate` for the three Real-ESRGAN modes (reference §4), `align_corners=False`,
 * `antialias=False`, on float planes:
 *
 * - `area` = `adaptive_avg_pool2d`: output i averages inputs `[floor(i·in/out), ceil((i+1)·in/out))`;
 * - `bilinear`: source `x = s·(i+0.5) − 0.5`, clamped at 0, neighbours clamped to the edge;
 * - `bicubic`: Keys cubic with A = −0.75, the same source mapping (not clamped), indices clamped to the border
 *   (can overshoot [0, 1]).
 *
 * The coordinate scale `s` is `1/scaleFactor` when a scale factor is given (the first Real-ESRGAN resize,
 * `scale_factor=…`, `recompute_scale_factor=None`) and `in/out` otherwise (explicit `size=`), as in PyTorch's
 * `area_pixel_compute_scale`. PyTorch's `guard_index_and_lambda` is reproduced. All three modes are exactly
 * separable (the 2-D weights are products), so they run as a horizontal then a vertical pass; coordinates are
 * computed in float64 where PyTorch uses float32 (differences ≲ 1e-6).
 *
 * ```ts
 * const s = 0.37;
 * const small = resizePlanes(img, Math.floor(img.width * s), Math.floor(img.height * s), 'bicubic', s);
 * ```
 */
import type { Planes } from './planes.js';
import { scratchF64 } from './scratch.js';

export type ResizeMode = 'area' | 'bilinear' | 'bicubic';
export const RESIZE_MODES: readonly ResizeMode[] = ['area', 'bilinear', 'bicubic'];

/** Per-output-index taps of a 1-D resampling: `taps` (index, weight) pairs per output. */
export interface AxisWeights {
  readonly taps: number;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

const CUBIC_A = -0.75;

function cubic1(x: number): number {
  return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
}
function cubic2(x: number): number {
  return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
}

/** The 1-D taps PyTorch uses to map `inSize` samples to `outSize` (optionally with a user scale factor). */
export function axisWeights(inSize: number, outSize: number, mode: ResizeMode, scaleFactor?: number): AxisWeights {
  if (mode === 'area') {
    let taps = 1;
    for (let i = 0; i < outSize; i++) {
      const s = Math.floor((i * inSize) / outSize);
      const e = Math.ceil(((i + 1) * inSize) / outSize);
      taps = Math.max(taps, e - s);
    }
    const index = new Int32Array(outSize * taps);
    const weight = new Float64Array(outSize * taps);
    for (let i = 0; i < outSize; i++) {
      const s = Math.floor((i * inSize) / outSize);
      const e = Math.ceil(((i + 1) * inSize) / outSize);
      for (let k = 0; k < taps; k++) {
        index[i * taps + k] = Math.min(s + k, inSize - 1);
        weight[i * taps + k] = s + k < e ? 1 / (e - s) : 0;
      }
    }
    return { taps, index, weight };
  }
  const scale = scaleFactor !== undefined && scaleFactor > 0 ? 1 / scaleFactor : inSize / outSize;
  const cubic = mode === 'bicubic';
  const taps = cubic ? 4 : 2;
  const index = new Int32Array(outSize * taps);
  const weight = new Float64Array(outSize * taps);
  for (let i = 0; i < outSize; i++) {
    let src = scale * (i + 0.5) - 0.5;
    if (!cubic && src < 0) src = 0;
    // guard_index_and_lambda
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const t = Math.min(Math.max(src - i0, 0), 1);
    const o = i * taps;
    if (cubic) {
      const w = [cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)];
      for (let k = 0; k < 4; k++) {
        index[o + k] = Math.max(Math.min(i0 - 1 + k, inSize - 1), 0);
        weight[o + k] = w[k];
      }
    } else {
      index[o] = i0;
      index[o + 1] = i0 + (i0 < inSize - 1 ? 1 : 0);
      weight[o] = 1 - t;
      weight[o + 1] = t;
    }
  }
  return { taps, index, weight };
}

/**
 * Resize three planes to `outW × outH`. `scaleFactor` (same for both axes) selects PyTorch's
 * `scale_factor=` semantics; leave it out for `size=` semantics.
 */
export function resizePlanes(img: Planes, outW: number, outH: number, mode: ResizeMode, scaleFactor?: number): Planes {
  if (!(outW >= 1 && outH >= 1)) throw new RangeError(`resize to ${outW}x${outH}: sizes must be ≥ 1`);
  const { width: w, height: h } = img;
  if (outW === w && outH === h && mode === 'area') return { width: w, height: h, data: img.data.slice() };
  const ax = axisWeights(w, outW, mode, scaleFactor);
  const ay = axisWeights(h, outH, mode, scaleFactor);
  const out = new Float32Array(3 * outW * outH);
  const tmp = scratchF64('resize-rows', outW * h);
  const acc = scratchF64('resize-acc', outW);
  for (let c = 0; c < 3; c++) {
    const src = c * w * h;
    // horizontal: tmp[y][i] = Σ_k wx · in[y][ix]
    for (let y = 0; y < h; y++) {
      const row = src + y * w;
      const t0 = y * outW;
      for (let i = 0; i < outW; i++) {
        let s = 0;
        const o = i * ax.taps;
        for (let k = 0; k < ax.taps; k++) s += ax.weight[o + k] * img.data[row + ax.index[o + k]];
        tmp[t0 + i] = s;
      }
    }
    // vertical: out[j] = Σ_k wy · tmp[iy]
    const dst = c * outW * outH;
    for (let j = 0; j < outH; j++) {
      acc.fill(0);
      const o = j * ay.taps;
      for (let k = 0; k < ay.taps; k++) {
        const wt = ay.weight[o + k];
        if (wt === 0) continue;
        const r = ay.index[o + k] * outW;
        for (let i = 0; i < outW; i++) acc[i] += wt * tmp[r + i];
      }
      const d = dst + j * outW;
      for (let i = 0; i < outW; i++) out[d + i] = acc[i];
    }
  }
  return { width: outW, height: outH, data: out };
}
