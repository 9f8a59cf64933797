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

export async function decodeImage(bytes: Uint8Array, opts: DecodeOptions = {}): Promise<RgbImage> {
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
    const out = new Float32Array(n);
    if (sixteen) {
      const u16 = new Uint16Array(data.buffer, data.byteOffset, n);
      for (let i = 0; i < n; i++) out[i] = u16[i] / 65535;
    } else {
      for (let i = 0; i < n; i++) out[i] = data[i] / 255;
    }
    return createImage(info.width, info.height, out, sixteen ? 16 : 8);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`cannot decode image: ${(err as Error).message}`);
  }
}
