/**
 * Decode an encoded image (PNG, JPEG, WebP, TIFF, ... — whatever libvips through `sharp` reads) into an
 * {@link RgbImage}: 8- and 16-bit kept at their precision, gray expanded to RGB, alpha dropped (composited
 * on nothing: the colour channels are kept as stored), EXIF orientation ignored by default (pixels as stored,
 * like cv2, as the metrics and degradation references read them); `autoOrient` applies it (as viewers show the
 * image: what `upscale` does, so outputs are not rotated against their inputs).
 *
 * Bad data (empty, truncated, not an image, over `maxPixels`) throws a {@link DataError} naming the problem.
 */
import sharp from 'sharp';
import { DataError } from '../frame.js';
import { type RgbImage, createImage } from '../image.js';

export interface DecodeOptions {
  /** Refuse images with more pixels than this (default 100 MP): a guard against decompression bombs. */
  readonly maxPixels?: number;
  /** Apply the EXIF orientation (rotate/flip as viewers show the image). Default false: pixels as stored. */
  readonly autoOrient?: boolean;
}

export const DEFAULT_MAX_PIXELS = 100_000_000;

/** Decoded pixels at their stored precision: interleaved RGB (HWC), 8- or 16-bit integers. */
export interface RawImage {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: 8 | 16;
  /** length = width * height * 3; Uint8Array for 8-bit, Uint16Array for 16-bit. */
  readonly data: Uint8Array | Uint16Array;
}

export async function decodeImage(bytes: Uint8Array, opts: DecodeOptions = {}): Promise<RgbImage> {
  return rawToImage(await decodeImageRaw(bytes, opts));
}

/** The float {@link RgbImage} of decoded integer pixels: `v / 255` or `v / 65535` (what {@link decodeImage} returns). */
export function rawToImage(raw: RawImage): RgbImage {
  const { data } = raw;
  const n = data.length;
  const out = new Float32Array(n);
  const max = raw.bitDepth === 16 ? 65535 : 255;
  for (let i = 0; i < n; i++) out[i] = data[i]! / max;
  return createImage(raw.width, raw.height, out, raw.bitDepth);
}

/** {@link decodeImage} without the float conversion: the integer pixels as decoded (same checks, same errors). */
export async function decodeImageRaw(bytes: Uint8Array, opts: DecodeOptions = {}): Promise<RawImage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length === 0) throw new DataError('empty file (0 bytes)');
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new DataError(`not a readable image: ${(err as Error).message}`);
  }
  const { width, height } = meta;
  if (!width || !height) throw new DataError('image has no size');
  if (width * height > maxPixels) {
    throw new DataError(`image too large: ${width}x${height} = ${width * height} pixels > limit ${maxPixels}`);
  }
  const sixteen = meta.depth === 'ushort' || meta.depth === 'short';
  try {
    const base = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'truncated' });
    const pipeline = (opts.autoOrient === true ? base.rotate() : base)
      .removeAlpha()
      .toColourspace(sixteen ? 'rgb16' : 'srgb')
      .raw({ depth: sixteen ? 'ushort' : 'uchar' });
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new DataError(`decoded ${info.channels} channels, expected 3`);
    const n = info.width * info.height * 3;
    return sixteen
      ? { width: info.width, height: info.height, bitDepth: 16, data: new Uint16Array(data.buffer, data.byteOffset, n) }
      : { width: info.width, height: info.height, bitDepth: 8, data: data.subarray(0, n) };
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`cannot decode image: ${(err as Error).message}`);
  }
}
