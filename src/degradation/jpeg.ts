/**
 * JPEG compression round trip with a real codec: libjpeg(-turbo/mozjpeg in baseline mode) through `sharp`.
 *
 * `quality` is drawn as a float in Real-ESRGAN (`U(30, 95)`); libjpeg takes an integer, so the float is
 * rounded (both values are recorded in the manifest). Settings: baseline, 4:2:0 chroma subsampling, the
 * standard Annex-K tables (`quantisationTable: 0`), no trellis quantisation, no overshoot deringing;
 * decoding uses libjpeg's default "fancy" (triangular) chroma upsampling.
 *
 * How this differs from BasicSR's `DiffJPEG(differentiable=False)` (reference §4, §9.6) — the statistics are
 * those of real JPEG files, but a result will not match BasicSR's bit for bit:
 * - quality is an integer (DiffJPEG scales its tables by the float quality);
 * - libjpeg rounds the scaled tables to integers and clips them to [1, 255]; DiffJPEG uses unrounded,
 *   unclipped `T·factor` (and its luma table is transposed relative to libjpeg's);
 * - the image is rounded to 8 bits before encoding and the decoded image is 8-bit (DiffJPEG stays float);
 * - chroma subsampling uses libjpeg's 2×2 box with alternating rounding bias and triangular upsampling
 *   (DiffJPEG: 2×2 mean, nearest-neighbour upsampling);
 * - libjpeg replicates edge pixels to fill partial MCUs; DiffJPEG zero-pads to multiples of 16 (dark blocks at
 *   the bottom/right border of images whose size is not a multiple of 16);
 * - integer (islow) DCT instead of a float DCT.
 *
 * ```ts
 * const { image, qualityInt } = await jpegRoundTrip(planes, 63.7); // encodes at quality 64
 * ```
 */
import sharp from 'sharp';
import { type Planes, roundHalfEven } from './planes.js';

export interface JpegResult {
  readonly image: Planes;
  /** The integer quality given to the encoder. */
  readonly qualityInt: number;
  /** Encoded size in bytes (for curiosity and the manifest). */
  readonly bytes: number;
}

/** Integer quality libjpeg gets for a float quality: rounded, clamped to 1..100. */
export function jpegQualityInt(quality: number): number {
  return Math.min(100, Math.max(1, Math.round(quality)));
}

/** Encode `img` (clamped to [0, 1], rounded to 8 bits) as JPEG at `quality`, decode it back. */
export async function jpegRoundTrip(img: Planes, quality: number): Promise<JpegResult> {
  const { width: w, height: h, data } = img;
  const n = w * h;
  const rgb = Buffer.allocUnsafe(3 * n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    rgb[j] = to8(data[i]);
    rgb[j + 1] = to8(data[n + i]);
    rgb[j + 2] = to8(data[2 * n + i]);
  }
  const qualityInt = jpegQualityInt(quality);
  const jpg = await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({
      quality: qualityInt,
      chromaSubsampling: '4:2:0',
      quantisationTable: 0,
      trellisQuantisation: false,
      overshootDeringing: false,
      optimiseScans: false,
      progressive: false,
      mozjpeg: false,
    })
    .toBuffer();
  const { data: dec, info } = await sharp(jpg).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.width !== w || info.height !== h || info.channels !== 3) {
    throw new Error(`JPEG round trip changed the image: ${w}x${h}x3 → ${info.width}x${info.height}x${info.channels}`);
  }
  const out = new Float32Array(3 * n);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    out[i] = dec[j] / 255;
    out[n + i] = dec[j + 1] / 255;
    out[2 * n + i] = dec[j + 2] / 255;
  }
  return { image: { width: w, height: h, data: out }, qualityInt, bytes: jpg.length };
}

function to8(x: number): number {
  const v = roundHalfEven(x * 255);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
