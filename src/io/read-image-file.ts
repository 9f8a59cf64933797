/**
 * Read and decode one image file. Every failure that is about the file (missing, unreadable, empty, truncated,
 * not an image, too large) is a {@link DataError} whose message starts with the problem, so callers can report
 * it against the file's name and keep going.
 *
 * ```ts
 * const img = await readImageFile('photo.png');   // RgbImage, float [0, 1]
 * ```
 */
import { readFile } from 'node:fs/promises';
import { DataError } from '../frame.js';
import type { RgbImage } from '../image.js';
import { type DecodeOptions, decodeImage } from './decode-image.js';

export async function readImageFile(path: string, opts: DecodeOptions = {}): Promise<RgbImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new DataError(`cannot read file: ${(err as Error).message}`);
  }
  return decodeImage(bytes, opts);
}
