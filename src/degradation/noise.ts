/**
 * Additive noise of the Real-ESRGAN pipeline (`basicsr/data/degradations.py`, the `_pt` versions, reference §4),
 * for one image (batch of 1), in place, clipped to [0, 1]:
 *
 * - **Gaussian**: `x + N(0,1)·σ/255`, one field per channel, or (gray) one field shared by the 3 channels;
 * - **Poisson**: `q = clamp(round(255·x))/255`, `V = 2^ceil(log2(#distinct values of q))`,
 *   `n = Poisson(q·V)/V − q`; gray uses `g = 0.2989R + 0.587G + 0.114B` (torchvision) instead of each channel
 *   and adds the same `n` to all three; `out = clip(x + scale·n)` (added to the *unrounded* x).
 *
 * In BasicSR the colour field is drawn and then multiplied by 0 for a gray sample; here it is simply not drawn.
 *
 * ```ts
 * addGaussianNoise(planes, 12.3, false, Rng.forImage(1, 'a', 'noise1'));
 * ```
 */
import { type Planes, roundHalfEven } from './planes.js';
import { PoissonTables, searchCdf } from './poisson.js';
import type { Rng } from '../random/rng.js';

const CHUNK = 4096;

/** Gaussian noise with σ on the 0–255 scale. */
export function addGaussianNoise(img: Planes, sigma: number, gray: boolean, rng: Rng): Planes {
  const d = img.data;
  const n = img.width * img.height;
  const buf = new Float64Array(CHUNK);
  const s = sigma / 255;
  if (gray) {
    for (let i0 = 0; i0 < n; i0 += CHUNK) {
      const m = Math.min(CHUNK, n - i0);
      const b = m === CHUNK ? buf : buf.subarray(0, m);
      rng.fillNormal(b, s);
      for (let c = 0; c < 3; c++) {
        const off = c * n + i0;
        for (let i = 0; i < m; i++) d[off + i] = clip01(d[off + i] + b[i]);
      }
    }
  } else {
    const total = 3 * n;
    for (let i0 = 0; i0 < total; i0 += CHUNK) {
      const m = Math.min(CHUNK, total - i0);
      const b = m === CHUNK ? buf : buf.subarray(0, m);
      rng.fillNormal(b, s);
      for (let i = 0; i < m; i++) d[i0 + i] = clip01(d[i0 + i] + b[i]);
    }
  }
  return img;
}

/** Poisson noise scaled by `scale`. */
export function addPoissonNoise(img: Planes, scale: number, gray: boolean, rng: Rng): Planes {
  const d = img.data;
  const n = img.width * img.height;
  // 8-bit levels of the signal the noise is drawn from
  const levels = new Uint8Array(gray ? n : 3 * n);
  if (gray) {
    for (let i = 0; i < n; i++) {
      const g = Math.fround(0.2989 * d[i] + 0.587 * d[n + i] + 0.114 * d[2 * n + i]);
      levels[i] = level8(g);
    }
  } else {
    for (let i = 0; i < 3 * n; i++) levels[i] = level8(d[i]);
  }
  const seen = new Uint8Array(256);
  let unique = 0;
  for (let i = 0; i < levels.length; i++) {
    if (!seen[levels[i]]) {
      seen[levels[i]] = 1;
      unique++;
    }
  }
  const vals = 2 ** Math.ceil(Math.log2(unique));
  const tables = new PoissonTables();
  const cdfs: (Float64Array | null)[] = new Array(256).fill(null);
  for (let k = 1; k < 256; k++) if (seen[k]) cdfs[k] = tables.table(Math.fround(Math.fround(k / 255) * vals));
  const noiseOf = (k: number): number => {
    const cdf = cdfs[k];
    const count = cdf === null ? 0 : searchCdf(cdf, rng.random());
    return count / vals - Math.fround(k / 255);
  };
  if (gray) {
    for (let i = 0; i < n; i++) {
      const v = scale * noiseOf(levels[i]);
      d[i] = clip01(d[i] + v);
      d[n + i] = clip01(d[n + i] + v);
      d[2 * n + i] = clip01(d[2 * n + i] + v);
    }
  } else {
    for (let i = 0; i < 3 * n; i++) d[i] = clip01(d[i] + scale * noiseOf(levels[i]));
  }
  return img;
}

function level8(x: number): number {
  const v = roundHalfEven(x * 255);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function clip01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
