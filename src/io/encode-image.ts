/**
 * Encode an {@link RgbImage} as PNG (8-bit, or 16-bit on request) or JPEG, and write files atomically:
 * the bytes go to a temporary name in the same directory, then `rename` — so a crash (even `kill -9`) never
 * leaves a half-written file under the final name.
 */
import { mkdir, rename, writeFile, unlink } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import sharp from 'sharp';
import { type RgbImage, toUint8 } from '../image.js';

export interface EncodeOptions {
  /** Output format; default from the file extension (`.png`, `.jpg`/`.jpeg`, `.webp`), else PNG. */
  readonly format?: 'png' | 'jpeg' | 'webp';
  /** PNG bit depth (default 8). */
  readonly bitDepth?: 8 | 16;
  /** JPEG / WebP quality 1..100 (default 95). */
  readonly quality?: number;
}

export function formatFromPath(path: string): 'png' | 'jpeg' | 'webp' {
  const ext = extname(path).toLowerCase();
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  if (ext === '.webp') return 'webp';
  return 'png';
}

export async function encodeImage(img: RgbImage, opts: EncodeOptions = {}): Promise<Buffer> {
  const format = opts.format ?? 'png';
  if (format === 'png' && opts.bitDepth === 16) {
    const u16 = new Uint16Array(img.data.length);
    for (let i = 0; i < u16.length; i++) {
      const v = Math.round(img.data[i] * 65535);
      u16[i] = v < 0 ? 0 : v > 65535 ? 65535 : v;
    }
    // A Uint16Array input tells sharp the raw samples are 16-bit.
    return sharp(u16, { raw: { width: img.width, height: img.height, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
  }
  const s = sharp(toUint8(img), { raw: { width: img.width, height: img.height, channels: 3 } });
  const q = opts.quality ?? 95;
  if (format === 'jpeg') return s.jpeg({ quality: q }).toBuffer();
  if (format === 'webp') return s.webp({ quality: q }).toBuffer();
  return s.png({ compressionLevel: 6 }).toBuffer();
}

let tmpCounter = 0;

/** Write bytes to `path` atomically (temp file + rename), creating parent directories. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${tmpCounter++}`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export async function writeImageFile(path: string, img: RgbImage, opts: EncodeOptions = {}): Promise<void> {
  const bytes = await encodeImage(img, { format: opts.format ?? formatFromPath(path), ...opts });
  await writeFileAtomic(path, bytes);
}
