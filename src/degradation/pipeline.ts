/**
 * The Real-ESRGAN second-order degradation for one image (batch of 1), reference §5/§6:
 *
 * ```
 * crop:   [hflip p½] → reflect-101 pad bottom/right to ≥ gt_size → random gt_size² crop
 * [usm]   GT ← USM(GT)                                   (only with usm: true — Real-ESRGAN; off by default)
 * stage1: blur(kernel1) → resize up/down/keep (scale_factor) → Gaussian|Poisson noise → clamp → JPEG
 * stage2: [blur(kernel2) p=0.8] → resize to int(gt/scale·s2) → noise → …
 * final:  coin ½: resize to gt/scale → sinc filter → JPEG   |   JPEG → resize → sinc filter
 *         clamp(round(255·x))/255
 * ```
 *
 * Every draw comes from a per-image, per-purpose {@link Rng} stream keyed by `(seed, id)`, so the result
 * depends only on the seed, the id and the pixels. Everything drawn is returned in a {@link DegradationRecord}.
 *
 * ```ts
 * const { hq, lq, record } = await degradeImage(img, defaultDegradationConfig(), 42, 'baboon');
 * ```
 */
import type { RgbImage } from '../image.js';
import type { DegradationConfig, ResizeModeName } from './config.js';
import { filter2D } from './filter2d.js';
import { jpegRoundTrip } from './jpeg.js';
import { addGaussianNoise, addPoissonNoise } from './noise.js';
import { type Planes, clamp01InPlace, createPlanes, fromPlanes, quantise8InPlace, reflect101 } from './planes.js';
import { resizePlanes } from './resize.js';
import { Rng } from '../random/rng.js';
import { type KernelRecord, sampleBlurKernel, sampleFinalKernel } from './sample-kernels.js';
import { usmSharpen } from './usm.js';

export interface ResizeRecord {
  type: 'up' | 'down' | 'keep';
  scale: number;
  mode: ResizeModeName;
  width: number;
  height: number;
}
export type NoiseRecord =
  | { type: 'gaussian'; sigma: number; gray: boolean }
  | { type: 'poisson'; scale: number; gray: boolean };
export interface JpegRecord {
  /** Quality as drawn (float, Real-ESRGAN). */
  quality: number;
  /** Quality the codec used (rounded). */
  qualityInt: number;
}

/** Everything that was drawn for one pair — the manifest line's `degradation` field. */
export interface DegradationRecord {
  seed: number;
  id: string;
  source: { width: number; height: number };
  hflip: boolean;
  /** Reflect-101 rows/cols added at the bottom/right before cropping (images smaller than gt_size). */
  pad: { bottom: number; right: number };
  crop: { top: number; left: number; size: number };
  usm: boolean;
  kernel1: KernelRecord;
  kernel2: KernelRecord;
  finalKernel: KernelRecord;
  stage1: { resize: ResizeRecord; noise: NoiseRecord; jpeg: JpegRecord };
  stage2: { blur: boolean; resize: ResizeRecord; noise: NoiseRecord };
  final: { order: 'resize-sinc-jpeg' | 'jpeg-resize-sinc'; resizeMode: ResizeModeName; jpeg: JpegRecord };
  lq: { width: number; height: number };
}

export interface DegradeResult {
  /** The HQ crop (gt_size²), as fed to the degradation (before USM). */
  readonly hq: RgbImage;
  /** The LQ image ((gt_size/scale)²), 8-bit quantised values. */
  readonly lq: RgbImage;
  readonly record: DegradationRecord;
}

/** Interleaved RGB pixels as the decoder gives them (`decodeImageRaw`): 8- or 16-bit integers. */
export interface IntegerImage {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: 8 | 16;
  readonly data: Uint8Array | Uint16Array;
}

/**
 * Crop + degrade one decoded image: float pixels ({@link RgbImage}) or the decoder's integers ({@link IntegerImage},
 * which skips converting the whole image to float — only the crop is, to the same values `v / 255`, `v / 65535`).
 */
export async function degradeImage(img: RgbImage | IntegerImage, cfg: DegradationConfig, seed: number, id: string): Promise<DegradeResult> {
  const size = cfg.gt_size;
  const crop = Rng.forImage(seed, id, 'crop');
  const hflip = cfg.use_hflip && crop.random() < 0.5;
  const pad = { bottom: Math.max(0, size - img.height), right: Math.max(0, size - img.width) };
  const top = crop.randint(0, img.height + pad.bottom - size);
  const left = crop.randint(0, img.width + pad.right - size);
  const gt = gatherCrop(img, hflip, left, top, size);
  const { lq, record } = await degradePlanes(gt, cfg, seed, id);
  const full: DegradationRecord = {
    seed,
    id,
    source: { width: img.width, height: img.height },
    hflip,
    pad,
    crop: { top, left, size },
    ...record,
  };
  return { hq: fromPlanes(gt, img.bitDepth), lq: fromPlanes(lq, 8), record: full };
}

/**
 * The `size`² crop at (`left`, `top`) of the image after [hflip] and the reflect-101 pad at the bottom/right
 * (BasicSR's order), gathered straight into planes: no full-size flipped, padded or float copy is made.
 */
export function gatherCrop(img: RgbImage | IntegerImage, hflip: boolean, left: number, top: number, size: number): Planes {
  const { width: w, height: h, data } = img;
  const div = data instanceof Float32Array ? 1 : img.bitDepth === 16 ? 65535 : 255;
  const n = size * size;
  const out = new Float32Array(3 * n);
  const col = new Int32Array(size);
  for (let x = 0; x < size; x++) {
    const rx = reflect101(left + x, w);
    col[x] = 3 * (hflip ? w - 1 - rx : rx);
  }
  for (let y = 0; y < size; y++) {
    const row = 3 * w * reflect101(top + y, h);
    const o = y * size;
    for (let x = 0; x < size; x++) {
      const s = row + col[x]!;
      out[o + x] = data[s]! / div;
      out[n + o + x] = data[s + 1]! / div;
      out[2 * n + o + x] = data[s + 2]! / div;
    }
  }
  return createPlanes(size, size, out);
}

type StageRecord = Omit<DegradationRecord, 'seed' | 'id' | 'source' | 'hflip' | 'pad' | 'crop'>;

function drawResize(
  rng: Rng,
  probs: readonly number[],
  range: readonly [number, number],
  modes: readonly ResizeModeName[],
): { type: ResizeRecord['type']; scale: number; mode: ResizeModeName } {
  const type = rng.choices(['up', 'down', 'keep'] as const, probs);
  const scale = type === 'up' ? rng.uniform(1, range[1]) : type === 'down' ? rng.uniform(range[0], 1) : 1;
  const mode = rng.choice(modes);
  return { type, scale, mode };
}

function noiseStep(img: Planes, cfg: DegradationConfig, stage: 1 | 2, params: Rng, field: Rng): NoiseRecord {
  const s2 = stage === 2;
  const gaussian = params.random() < (s2 ? cfg.gaussian_noise_prob2 : cfg.gaussian_noise_prob);
  if (gaussian) {
    const [lo, hi] = s2 ? cfg.noise_range2 : cfg.noise_range;
    const sigma = params.uniform(lo, hi);
    const gray = params.random() < (s2 ? cfg.gray_noise_prob2 : cfg.gray_noise_prob);
    addGaussianNoise(img, sigma, gray, field);
    return { type: 'gaussian', sigma, gray };
  }
  const [lo, hi] = s2 ? cfg.poisson_scale_range2 : cfg.poisson_scale_range;
  const scale = params.uniform(lo, hi);
  const gray = params.random() < (s2 ? cfg.gray_noise_prob2 : cfg.gray_noise_prob);
  addPoissonNoise(img, scale, gray, field);
  return { type: 'poisson', scale, gray };
}

/** Degrade an already-cropped GT (planes). Returns the 8-bit-quantised LQ and what was drawn. */
export async function degradePlanes(
  gt: Planes,
  cfg: DegradationConfig,
  seed: number,
  id: string,
): Promise<{ lq: Planes; record: StageRecord }> {
  const r = (purpose: string) => Rng.forImage(seed, id, purpose);
  const k1 = sampleBlurKernel(cfg, 1, r('kernel1'));
  const k2 = sampleBlurKernel(cfg, 2, r('kernel2'));
  const kf = sampleFinalKernel(cfg, r('final-kernel'));
  const params = r('params');
  const oriH = gt.height;
  const oriW = gt.width;

  // ---- first degradation ----
  let out = cfg.usm ? usmSharpen(gt, cfg.usm_weight, cfg.usm_threshold, cfg.usm_radius) : gt;
  out = filter2D(out, k1.kernel);
  const rz1 = drawResize(params, cfg.resize_prob, cfg.resize_range, cfg.resize_modes);
  const w1 = Math.floor(out.width * rz1.scale);
  const h1 = Math.floor(out.height * rz1.scale);
  if (rz1.scale !== 1) out = resizePlanes(out, w1, h1, rz1.mode, rz1.scale);
  const noise1 = noiseStep(out, cfg, 1, params, r('noise1'));
  const q1 = params.uniform(cfg.jpeg_range[0], cfg.jpeg_range[1]);
  const j1 = await jpegRoundTrip(clamp01InPlace(out), q1);
  out = j1.image;

  // ---- second degradation ----
  const blur2 = params.random() < cfg.second_blur_prob;
  if (blur2) out = filter2D(out, k2.kernel);
  const rz2 = drawResize(params, cfg.resize_prob2, cfg.resize_range2, cfg.resize_modes);
  const w2 = Math.trunc((oriW / cfg.scale) * rz2.scale);
  const h2 = Math.trunc((oriH / cfg.scale) * rz2.scale);
  if (w2 !== out.width || h2 !== out.height) out = resizePlanes(out, w2, h2, rz2.mode);
  const noise2 = noiseStep(out, cfg, 2, params, r('noise2'));

  // ---- final: [resize + sinc] and JPEG in random order ----
  const resizeFirst = params.random() < cfg.final_resize_first_prob;
  const finalMode = params.choice(cfg.resize_modes);
  const q2 = params.uniform(cfg.jpeg_range2[0], cfg.jpeg_range2[1]);
  const lw = Math.floor(oriW / cfg.scale);
  const lh = Math.floor(oriH / cfg.scale);
  const resizeSinc = (img: Planes): Planes => {
    const resized = img.width === lw && img.height === lh ? img : resizePlanes(img, lw, lh, finalMode);
    return filter2D(resized, kf.kernel);
  };
  let jq: number;
  if (resizeFirst) {
    out = resizeSinc(out);
    const j = await jpegRoundTrip(clamp01InPlace(out), q2);
    out = j.image;
    jq = j.qualityInt;
  } else {
    const j = await jpegRoundTrip(clamp01InPlace(out), q2);
    jq = j.qualityInt;
    out = resizeSinc(j.image);
  }
  quantise8InPlace(out);

  return {
    lq: out,
    record: {
      usm: cfg.usm,
      kernel1: k1.record,
      kernel2: k2.record,
      finalKernel: kf.record,
      stage1: {
        resize: { ...rz1, width: w1, height: h1 },
        noise: noise1,
        jpeg: { quality: q1, qualityInt: j1.qualityInt },
      },
      stage2: { blur: blur2, resize: { ...rz2, width: w2, height: h2 }, noise: noise2 },
      final: { order: resizeFirst ? 'resize-sinc-jpeg' : 'jpeg-resize-sinc', resizeMode: finalMode, jpeg: { quality: q2, qualityInt: jq } },
      lq: { width: out.width, height: out.height },
    },
  };
}
