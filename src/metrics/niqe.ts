/**
 * NIQE (Mittal et al., "Making a completely blind image quality analyzer") in BasicSR's convention
 * (`basicsr.metrics.calculate_niqe(img, crop_border, convert_to='y')`, with BasicSR's pristine model):
 *
 * 1. Y = BT.601 luma (float32, as BasicSR's `to_y_channel`), border cropped, rounded half-to-even;
 *    keep the top-left `⌊h/96⌋·96 × ⌊w/96⌋·96` (at least 96×96 is required).
 * 2. For scale 1 and 2: MSCN coefficients `(I − μ)/(σ + 1)` with the 7×7 window and replicate borders, in
 *    float32 like BasicSR; 96/scale blocks (column-major order), 18 AGGD features each; between the scales,
 *    MATLAB `imresize(I/255, 0.5)·255` (antialiased bicubic, BasicSR's float32 port).
 * 3. NIQE = sqrt((μp − μd)ᵀ pinv((Σp + Σd)/2) (μp − μd)) with μd = nanmean of the block features and Σd their
 *    covariance (rows without NaN, N − 1).
 *
 * Lower is better (more natural). Note pyiqa's `'niqe'` (what OSEDiff reports) uses YIQ luma instead.
 *
 * ```ts
 * niqe(sr);                     // BasicSR NIQE of an SR result
 * niqe(sr, { cropBorder: 4 });
 * ```
 */
import type { RgbImage } from '../image.js';
import { fitAggd, aggdGrid } from './aggd.js';
import { yBasicsr } from './color.js';
import { imresizePlane } from './matlab-imresize.js';
import { type NiqeParams, loadNiqeParams } from './niqe-params.js';
import { pinvSymmetric } from './pinv.js';
import { type Plane, createPlane, cropPlane, roundHalfEven } from './plane.js';

const f32 = Math.fround;
const BLOCK = 96;
const NFEAT = 36;

export interface NiqeOptions {
  /** Pixels dropped on every side before measuring (default 0). */
  readonly cropBorder?: number;
  /** Pristine model (default: the shipped BasicSR parameters). */
  readonly params?: NiqeParams;
}

/** Per-block features: `features[b]` has 36 values (18 at scale 1, then 18 at scale 2), blocks column-major. */
export interface NiqeFeatures {
  readonly blocksW: number;
  readonly blocksH: number;
  readonly features: Float64Array[];
}

/** NIQE score of an image (lower = more natural). Throws RangeError for an image under 96×96 after cropping. */
export function niqe(img: RgbImage, opts: NiqeOptions = {}): number {
  const params = opts.params ?? loadNiqeParams();
  return niqeFromFeatures(niqeFeatures(img, opts), params);
}

/** The 36-d NSS features of every 96×96 block (BasicSR's `distparam`), for inspection and tests. */
export function niqeFeatures(img: RgbImage, opts: NiqeOptions = {}): NiqeFeatures {
  const params = opts.params ?? loadNiqeParams();
  const y = cropPlane(yBasicsr(img), opts.cropBorder ?? 0);
  const blocksH = Math.floor(y.height / BLOCK);
  const blocksW = Math.floor(y.width / BLOCK);
  if (blocksH === 0 || blocksW === 0) {
    throw new RangeError(`niqe needs at least ${BLOCK}x${BLOCK} pixels, got ${y.width}x${y.height}`);
  }
  const h = blocksH * BLOCK;
  const w = blocksW * BLOCK;
  let plane = new Float64Array(w * h);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) plane[r * w + c] = roundHalfEven(y.data[r * y.width + c]);
  const features = Array.from({ length: blocksW * blocksH }, () => new Float64Array(NFEAT));
  let cur: Plane = createPlane(w, h, plane);
  for (const scale of [1, 2] as const) {
    const m = mscn(cur, params.window);
    const bs = BLOCK / scale;
    const block = new Float64Array(bs * bs);
    let b = 0;
    for (let bw = 0; bw < blocksW; bw++) {
      for (let bh = 0; bh < blocksH; bh++) {
        for (let r = 0; r < bs; r++) {
          const src = (bh * bs + r) * cur.width + bw * bs;
          block.set(m.subarray(src, src + bs), r * bs);
        }
        blockFeatures(block, bs, features[b++], scale === 1 ? 0 : 18);
      }
    }
    if (scale === 1) {
      plane = new Float64Array(cur.data.length);
      for (let i = 0; i < plane.length; i++) plane[i] = f32(cur.data[i] / 255);
      const half = imresizePlane(createPlane(w, h, plane), 0.5, { antialias: true, precision: 'float32' });
      for (let i = 0; i < half.data.length; i++) half.data[i] = f32(half.data[i] * 255);
      cur = half;
    }
  }
  return { blocksW, blocksH, features };
}

/** The NIQE distance of block features to the pristine model. NaN when fewer than 2 blocks are NaN-free. */
export function niqeFromFeatures(f: NiqeFeatures, params: NiqeParams = loadNiqeParams()): number {
  const rows = f.features;
  const muD = new Float64Array(NFEAT);
  for (let c = 0; c < NFEAT; c++) {
    let s = 0;
    let n = 0;
    for (const r of rows) {
      if (!Number.isNaN(r[c])) {
        s += r[c];
        n++;
      }
    }
    muD[c] = n === 0 ? NaN : s / n;
  }
  const valid = rows.filter((r) => r.every((v) => !Number.isNaN(v)));
  if (valid.length < 2) return NaN;
  const avg = new Float64Array(NFEAT);
  for (const r of valid) for (let c = 0; c < NFEAT; c++) avg[c] += r[c];
  for (let c = 0; c < NFEAT; c++) avg[c] /= valid.length;
  const m = new Float64Array(NFEAT * NFEAT);
  for (const r of valid) {
    for (let i = 0; i < NFEAT; i++) {
      const di = r[i] - avg[i];
      for (let j = 0; j < NFEAT; j++) m[i * NFEAT + j] += di * (r[j] - avg[j]);
    }
  }
  for (let i = 0; i < m.length; i++) m[i] = (params.cov[i] + m[i] / (valid.length - 1)) / 2;
  const inv = pinvSymmetric(m, NFEAT);
  const d = new Float64Array(NFEAT);
  for (let i = 0; i < NFEAT; i++) d[i] = params.mu[i] - muD[i];
  let q = 0;
  for (let j = 0; j < NFEAT; j++) {
    let t = 0;
    for (let i = 0; i < NFEAT; i++) t += d[i] * inv[i * NFEAT + j];
    q += t * d[j];
  }
  return Math.sqrt(q);
}

/**
 * MSCN coefficients in BasicSR's float32 arithmetic: `scipy.ndimage.convolve(img, window, mode='nearest')`
 * (float64 sums rounded to float32), σ = sqrt(|conv(I²) − μ²|), (I − μ)/(σ + 1).
 */
export function mscn(p: Plane, window: Float64Array): Float64Array {
  const { width: w, height: h, data } = p;
  const k = Math.round(Math.sqrt(window.length));
  const half = (k - 1) >> 1;
  // scipy convolve = correlate with the flipped window; iterate taps in that order.
  const flipped = new Float64Array(window.length);
  for (let i = 0; i < window.length; i++) flipped[i] = window[window.length - 1 - i];
  // Replicate-padded copies of I and float32(I²) ('nearest' mode), so the inner loops need no clamping.
  const pw = w + 2 * half;
  const ph = h + 2 * half;
  const pad = new Float64Array(pw * ph);
  const padSq = new Float64Array(pw * ph);
  for (let r = 0; r < ph; r++) {
    const sr = Math.min(h - 1, Math.max(0, r - half)) * w;
    for (let c = 0; c < pw; c++) {
      const v = data[sr + Math.min(w - 1, Math.max(0, c - half))];
      pad[r * pw + c] = v;
      padSq[r * pw + c] = f32(v * v);
    }
  }
  const out = new Float64Array(data.length);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      let s1 = 0;
      let s2 = 0;
      for (let a = 0; a < k; a++) {
        const row = (r + a) * pw + c;
        const wrow = a * k;
        for (let b = 0; b < k; b++) {
          const wt = flipped[wrow + b];
          s1 += wt * pad[row + b];
          s2 += wt * padSq[row + b];
        }
      }
      const mu = f32(s1);
      const sigma = f32(Math.sqrt(Math.abs(f32(f32(s2) - f32(mu * mu)))));
      out[r * w + c] = f32(f32(data[r * w + c] - mu) / f32(sigma + 1));
    }
  }
  return out;
}

const SHIFTS: ReadonlyArray<readonly [number, number]> = [[0, 1], [1, 0], [1, 1], [1, -1]];
let products = new Float64Array(0);

/** BasicSR `compute_feature`: 18 features of one MSCN block, written to `out[offset..offset+18)`. */
export function blockFeatures(block: Float64Array, size: number, out: Float64Array, offset: number): void {
  const g = aggdGrid();
  const n = size * size;
  const fit = fitAggd(block, n);
  out[offset] = fit.alpha;
  out[offset + 1] = (fit.betaL + fit.betaR) / 2;
  if (products.length < n) products = new Float64Array(n);
  let o = offset + 2;
  for (const [dy, dx] of SHIFTS) {
    // np.roll(block, (dy, dx), axis=(0, 1)): rolled[i][j] = block[(i - dy) mod size][(j - dx) mod size]
    for (let i = 0; i < size; i++) {
      const si = ((i - dy + size) % size) * size;
      for (let j = 0; j < size; j++) {
        products[i * size + j] = f32(block[i * size + j] * block[si + ((j - dx + size) % size)]);
      }
    }
    const p = fitAggd(products, n);
    out[o++] = p.alpha;
    out[o++] = (p.betaR - p.betaL) * g.meanScale[p.index];
    out[o++] = p.betaL;
    out[o++] = p.betaR;
  }
}
