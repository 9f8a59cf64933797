/**
 * The pixel record every stage shares: RGB, interleaved (HWC), float32 in [0, 1].
 *
 * Float keeps the degradation and metric maths exact between stages; `bitDepth` remembers what the source
 * file held (8 or 16) so that writers and metrics can say what they lost.
 */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** length = width * height * 3, row-major, channels R, G, B; values nominally in [0, 1]. */
  readonly data: Float32Array;
  readonly bitDepth?: 8 | 16;
}

export function createImage(width: number, height: number, data?: Float32Array, bitDepth?: 8 | 16): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`image size must be positive integers, got ${width}x${height}`);
  }
  const n = width * height * 3;
  const buf = data ?? new Float32Array(n);
  if (buf.length !== n) throw new RangeError(`image data has ${buf.length} values, expected ${n} (${width}x${height}x3)`);
  return bitDepth ? { width, height, data: buf, bitDepth } : { width, height, data: buf };
}

/** 8-bit RGB bytes, clamp(round(255 x)) — the quantisation every writer and the Real-ESRGAN final step use. */
export function toUint8(img: RgbImage): Uint8Array {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = Math.round(img.data[i] * 255);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

export function fromUint8(width: number, height: number, bytes: Uint8Array): RgbImage {
  const data = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) data[i] = bytes[i] / 255;
  return createImage(width, height, data, 8);
}

/** Copy of a rectangle (x0, y0, w, h) of an image. */
export function cropImage(img: RgbImage, x0: number, y0: number, w: number, h: number): RgbImage {
  if (x0 < 0 || y0 < 0 || x0 + w > img.width || y0 + h > img.height) {
    throw new RangeError(`crop ${w}x${h}+${x0}+${y0} outside ${img.width}x${img.height}`);
  }
  const out = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const src = ((y0 + y) * img.width + x0) * 3;
    out.set(img.data.subarray(src, src + w * 3), y * w * 3);
  }
  return createImage(w, h, out, img.bitDepth);
}
