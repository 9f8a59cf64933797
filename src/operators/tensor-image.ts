/**
 * Conversions between {@link RgbImage} (HWC, [0, 1]) and the NCHW {@link HostTensor}s the networks take
 * ([−1, 1]), with edge padding to the size the networks need and cropping back.
 *
 * ```ts
 * const x = imageToTensor(img, 64);   // [1, 3, H', W'] with H', W' multiples of 64, replicate-padded
 * const out = tensorToImage(y, img.width, img.height); // crop + back to [0, 1], clamped
 * ```
 */
import type { HostTensor } from '../backends/backend.js';
import { type RgbImage, createImage } from '../image.js';

/** Round `n` up to a multiple of `m`. */
export function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** NCHW `[1, 3, H', W']` in [−1, 1]; H', W' rounded up to `multiple`, borders replicated. */
export function imageToTensor(img: RgbImage, multiple = 1): HostTensor {
  const W = roundUp(img.width, multiple);
  const H = roundUp(img.height, multiple);
  const plane = W * H;
  const data = new Float32Array(3 * plane);
  for (let y = 0; y < H; y++) {
    const sy = Math.min(y, img.height - 1);
    for (let x = 0; x < W; x++) {
      const s = (sy * img.width + Math.min(x, img.width - 1)) * 3;
      const d = y * W + x;
      data[d] = img.data[s] * 2 - 1;
      data[plane + d] = img.data[s + 1] * 2 - 1;
      data[2 * plane + d] = img.data[s + 2] * 2 - 1;
    }
  }
  return { shape: [1, 3, H, W], data };
}

/** The top-left `width`×`height` of sample `index` of an NCHW RGB tensor in [−1, 1], as an image in [0, 1] (clamped). */
export function tensorToImage(t: HostTensor, width: number, height: number, index = 0): RgbImage {
  const [, c, H, W] = t.shape;
  if (c !== 3) throw new Error(`expected 3 channels, got shape [${t.shape.join(', ')}]`);
  if (width > W || height > H) throw new Error(`cannot crop ${width}x${height} from ${W}x${H}`);
  const plane = W * H;
  const base = index * 3 * plane;
  const out = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = base + y * W + x;
      const d = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) {
        const v = (t.data[s + k * plane] + 1) / 2;
        out[d + k] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
    }
  }
  return createImage(width, height, out);
}
