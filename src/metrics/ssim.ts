/**
 * SSIM in the pyiqa and BasicSR conventions (see {@link FullReferenceOptions}). Both use an 11×11 Gaussian
 * window (σ = 1.5), the 'valid' region only, `C1 = (0.01·255)²`, `C2 = (0.03·255)²` on [0, 255] values, no
 * downsampling; the score is the mean of the SSIM map (over channels too for RGB).
 *
 * - pyiqa: values `round(255·Y)` (or `round(255·x)` for RGB), float32 `fspecial` window, `relu` on the
 *   contrast-structure map.
 * - BasicSR: unrounded float32 Y×255 (or the [0, 255] RGB values), float64 OpenCV window, no relu.
 *
 * ```ts
 * ssim(sr, hr);                                                   // pyiqa Y, as papers report
 * ssim(sr, hr, { convention: 'basicsr', cropBorder: 4 });
 * ```
 */
import type { RgbImage } from '../image.js';
import { yBasicsr, yPyiqa } from './color.js';
import type { FullReferenceOptions } from './convention.js';
import { cvGaussianKernel, fspecialGaussian } from './gaussian-window.js';
import { type Plane, assertSameSize, channelPlane, cropPlane, roundHalfEven } from './plane.js';
import { rgb255 } from './psnr.js';

const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;
const WIN = 11;

export function ssim(a: RgbImage, b: RgbImage, opts: FullReferenceOptions = {}): number {
  assertSameSize(a, b, 'ssim');
  const crop = opts.cropBorder ?? 0;
  const y = opts.yChannel ?? true;
  if ((opts.convention ?? 'pyiqa') === 'pyiqa') {
    const to255 = (img: RgbImage): Plane[] =>
      y ? [yPyiqa(img, 255)] : [0, 1, 2].map((c) => channelPlane(img, c as 0 | 1 | 2, (v) => roundHalfEven(Math.fround(v * 255))));
    const pa = to255(a).map((p) => cropPlane(p, crop));
    const pb = to255(b).map((p) => cropPlane(p, crop));
    return mean(pa.map((p, c) => ssimMapSum(p, pb[c], pyiqaWindow(), true)), pa);
  }
  const pa = (y ? [yBasicsr(a)] : rgb255(a)).map((p) => cropPlane(p, crop));
  const pb = (y ? [yBasicsr(b)] : rgb255(b)).map((p) => cropPlane(p, crop));
  // BasicSR: mean over channels of per-channel means (all channels have the same size, so = mean of all).
  return mean(pa.map((p, c) => ssimMapSum(p, pb[c], basicsrWindow(), false)), pa);
}

function mean(sums: number[], planes: Plane[]): number {
  const count = (planes[0].width - WIN + 1) * (planes[0].height - WIN + 1);
  return sums.reduce((s, v) => s + v, 0) / (count * sums.length);
}

let pyiqaWin: Float64Array | undefined;
let basicsrWin: Float64Array | undefined;

function pyiqaWindow(): Float64Array {
  return (pyiqaWin ??= fspecialGaussian(WIN, 1.5));
}

function basicsrWindow(): Float64Array {
  if (!basicsrWin) {
    const g = cvGaussianKernel(WIN, 1.5);
    basicsrWin = new Float64Array(WIN * WIN);
    for (let i = 0; i < WIN; i++) for (let j = 0; j < WIN; j++) basicsrWin[i * WIN + j] = g[i] * g[j];
  }
  return basicsrWin;
}

/**
 * Sum over the 'valid' region of the SSIM map of planes a, b with a 2-D window (all five local moments in one
 * pass over the window). `relu` clamps the contrast-structure term at 0 (pyiqa).
 */
export function ssimMapSum(a: Plane, b: Plane, win: Float64Array, relu: boolean): number {
  const k = Math.round(Math.sqrt(win.length));
  const ow = a.width - k + 1;
  const oh = a.height - k + 1;
  if (ow <= 0 || oh <= 0) throw new RangeError(`ssim needs images of at least ${k}x${k}, got ${a.width}x${a.height}`);
  const W = a.width;
  const x = a.data;
  const z = b.data;
  let total = 0;
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      let sa = 0;
      let sb = 0;
      let saa = 0;
      let sbb = 0;
      let sab = 0;
      for (let i = 0; i < k; i++) {
        const row = (oy + i) * W + ox;
        const wrow = i * k;
        for (let j = 0; j < k; j++) {
          const w = win[wrow + j];
          const va = x[row + j];
          const vb = z[row + j];
          sa += w * va;
          sb += w * vb;
          saa += w * va * va;
          sbb += w * vb * vb;
          sab += w * va * vb;
        }
      }
      const mu1mu2 = sa * sb;
      const mu1sq = sa * sa;
      const mu2sq = sb * sb;
      let cs = (2 * (sab - mu1mu2) + C2) / (saa - mu1sq + (sbb - mu2sq) + C2);
      if (relu && cs < 0) cs = 0;
      total += ((2 * mu1mu2 + C1) / (mu1sq + mu2sq + C1)) * cs;
    }
  }
  return total;
}
