/**
 * Artefact statistics of a super-resolved image, the failure modes a person sees first (issue 9: darkened
 * borders, overshoot beyond the input's range, colour washed out):
 *
 * - {@link borderRatio}: mean luma of the outermost `band` rows/columns, each side against the mean luma of the
 *   region just inside it (the next `band` pixels further in); 1 = no border effect, 0.72 = a border 28 % darker.
 * - {@link overshoot}: fraction of output values outside the reference's per-channel range widened by `margin`
 *   (the reference is what the output should look like: the bicubic upscale of the input).
 * - {@link chromaRatio}: mean chroma (‖(Cb, Cr)‖, BT.601) of the output over that of the reference; below ~0.7 an
 *   image looks desaturated, above ~1.3 oversaturated.
 * - {@link chromaShift}: local colour shift (blotches, greens turned khaki): the mean, over 16×16 blocks, of the
 *   distance between the block's mean (Cb, Cr) in the output and in the reference, in 8-bit levels. A global
 *   saturation change moves it little on grey scenes; cyan/pink blotches on a grey wall move it a lot.
 * - {@link flatTexture}: texture painted where the input is flat (the hatch/weave patterns a generative student can
 *   add to walls and sky): mean luma standard deviation, in 8-bit levels, of the output's 8×8 blocks whose
 *   reference block is flat (std < 1.5 levels). Bicubic itself stays near 0.5; visible patterns start around 2.
 *
 * All take RGB images in [0, 1] (HWC float32, `RgbImage`); all return plain numbers, so tests and benchmarks can
 * set thresholds.
 *
 * ```ts
 * const s = artefactStats(sr, bicubicUpscale(lq, 4));   // { border: {top, bottom, left, right}, overshoot, chroma }
 * ```
 */
import type { RgbImage } from '../image.js';

const luma = (d: Float32Array, i: number): number => 0.299 * d[3 * i]! + 0.587 * d[3 * i + 1]! + 0.114 * d[3 * i + 2]!;

function meanLuma(img: RgbImage, x0: number, y0: number, w: number, h: number): number {
  let s = 0;
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) s += luma(img.data, y * img.width + x);
  return s / (w * h);
}

export interface BorderRatios {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/** Border luma against the band just inside it, per side (see the file comment). Needs width, height ≥ 4·band. */
export function borderRatio(img: RgbImage, band = 2): BorderRatios {
  const { width: W, height: H } = img;
  if (W < 4 * band || H < 4 * band) throw new RangeError(`borderRatio: ${W}x${H} is too small for a band of ${band}`);
  const ratio = (edge: number, inner: number): number => (inner > 1e-6 ? edge / inner : edge > 1e-6 ? Number.POSITIVE_INFINITY : 1);
  return {
    top: ratio(meanLuma(img, 0, 0, W, band), meanLuma(img, 0, band, W, band)),
    bottom: ratio(meanLuma(img, 0, H - band, W, band), meanLuma(img, 0, H - 2 * band, W, band)),
    left: ratio(meanLuma(img, 0, 0, band, H), meanLuma(img, band, 0, band, H)),
    right: ratio(meanLuma(img, W - band, 0, band, H), meanLuma(img, W - 2 * band, 0, band, H)),
  };
}

/** Fraction of `img`'s values outside `ref`'s per-channel [min − margin, max + margin]. */
export function overshoot(img: RgbImage, ref: RgbImage, margin = 8 / 255): number {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < ref.data.length; i++) {
    const c = i % 3;
    const v = ref.data[i]!;
    if (v < lo[c]!) lo[c] = v;
    if (v > hi[c]!) hi[c] = v;
  }
  let out = 0;
  for (let i = 0; i < img.data.length; i++) {
    const c = i % 3;
    const v = img.data[i]!;
    if (v < lo[c]! - margin || v > hi[c]! + margin) out++;
  }
  return out / img.data.length;
}

const cbOf = (r: number, g: number, b: number): number => -0.168736 * r - 0.331264 * g + 0.5 * b;
const crOf = (r: number, g: number, b: number): number => 0.5 * r - 0.418688 * g - 0.081312 * b;

function blockMeanCbCr(img: RgbImage, x0: number, y0: number, n: number): [number, number] {
  const d = img.data;
  let cb = 0;
  let cr = 0;
  for (let y = y0; y < y0 + n; y++) {
    for (let x = x0; x < x0 + n; x++) {
      const i = 3 * (y * img.width + x);
      cb += cbOf(d[i]!, d[i + 1]!, d[i + 2]!);
      cr += crOf(d[i]!, d[i + 1]!, d[i + 2]!);
    }
  }
  return [cb / (n * n), cr / (n * n)];
}

/**
 * Local colour shift of `img` against `ref` (same size): mean over the whole `block`×`block` blocks of the
 * distance between their mean (Cb, Cr), in 8-bit levels (0 = the same colours everywhere at that scale).
 */
export function chromaShift(img: RgbImage, ref: RgbImage, block = 16): number {
  if (img.width !== ref.width || img.height !== ref.height) throw new RangeError(`chromaShift: ${img.width}x${img.height} against ${ref.width}x${ref.height}`);
  if (img.width < block || img.height < block) throw new RangeError(`chromaShift: ${img.width}x${img.height} is smaller than one ${block}×${block} block`);
  let sum = 0;
  let n = 0;
  for (let y = 0; y + block <= ref.height; y += block) {
    for (let x = 0; x + block <= ref.width; x += block) {
      const [a, b] = blockMeanCbCr(img, x, y, block);
      const [c, d] = blockMeanCbCr(ref, x, y, block);
      sum += 255 * Math.hypot(a - c, b - d);
      n++;
    }
  }
  return sum / n;
}

function meanChroma(img: RgbImage): number {
  const d = img.data;
  const n = img.width * img.height;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const r = d[3 * i]!;
    const g = d[3 * i + 1]!;
    const b = d[3 * i + 2]!;
    s += Math.hypot(cbOf(r, g, b), crOf(r, g, b));
  }
  return s / n;
}

/** Mean chroma of `img` over that of `ref` (1 = same saturation); NaN when `ref` is grey. */
export function chromaRatio(img: RgbImage, ref: RgbImage): number {
  const r = meanChroma(ref);
  return r > 1e-6 ? meanChroma(img) / r : Number.NaN;
}

function blockLumaStd(img: RgbImage, x0: number, y0: number, n: number): number {
  let s = 0;
  let s2 = 0;
  for (let y = y0; y < y0 + n; y++) {
    for (let x = x0; x < x0 + n; x++) {
      const v = luma(img.data, y * img.width + x);
      s += v;
      s2 += v * v;
    }
  }
  const m = s / (n * n);
  return Math.sqrt(Math.max(0, s2 / (n * n) - m * m));
}

/**
 * Texture on flat areas: mean luma std (8-bit levels) of `img`'s 8×8 blocks where `ref`'s block std is under
 * `flatBelow` levels; `{ texture, flatFraction }` (texture NaN when no block of `ref` is flat).
 */
export function flatTexture(img: RgbImage, ref: RgbImage, flatBelow = 1.5, block = 8): { readonly texture: number; readonly flatFraction: number } {
  let sum = 0;
  let flat = 0;
  let all = 0;
  for (let y = 0; y + block <= ref.height; y += block) {
    for (let x = 0; x + block <= ref.width; x += block) {
      all++;
      if (255 * blockLumaStd(ref, x, y, block) >= flatBelow) continue;
      flat++;
      sum += 255 * blockLumaStd(img, x, y, block);
    }
  }
  return { texture: flat > 0 ? sum / flat : Number.NaN, flatFraction: all > 0 ? flat / all : 0 };
}

export interface ArtefactStats {
  readonly border: BorderRatios;
  readonly overshoot: number;
  readonly chroma: number;
  /** {@link chromaShift} in 8-bit levels. */
  readonly chromaShift: number;
  /** {@link flatTexture}'s texture (8-bit levels; NaN when the reference has no flat block). */
  readonly flatTexture: number;
}

/** All the statistics of `sr` against `ref` (e.g. the bicubic upscale of the input, same size as `sr`). */
export function artefactStats(sr: RgbImage, ref: RgbImage): ArtefactStats {
  if (sr.width !== ref.width || sr.height !== ref.height) {
    throw new RangeError(`artefactStats: ${sr.width}x${sr.height} output against a ${ref.width}x${ref.height} reference`);
  }
  return { border: borderRatio(sr), overshoot: overshoot(sr, ref), chroma: chromaRatio(sr, ref), chromaShift: chromaShift(sr, ref), flatTexture: flatTexture(sr, ref).texture };
}
