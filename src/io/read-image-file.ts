/**
 * Read and decode one image file. Every failure that is about the file (missing, unreadable, empty, truncated,
 * not an image, too large, not a regular file: a FIFO would block the read forever) is a {@link DataError} whose message starts with the problem, so callers can report
 * it against the file's name and keep going.
 *
 * ```ts
 * const img = await readImageFile('photo.png');   // RgbImage, float [0, 1]
 * ```
 */
import { readFile, stat } from 'node:fs/promises';
import { DataError } from '../frame.js';
import type { RgbImage } from '../image.js';
import { type DecodeOptions, type RawImage, decodeImage, decodeImageRaw } from './decode-image.js';

export async function readImageFile(path: string, opts: DecodeOptions = {}): Promise<RgbImage> {
  return decodeImage(await readImageBytes(path), opts);
}

/** {@link readImageFile} without the float conversion (see {@link decodeImageRaw}). */
export async function readImageFileRaw(path: string, opts: DecodeOptions = {}): Promise<RawImage> {
  return decodeImageRaw(await readImageBytes(path), opts);
}

async function readImageBytes(path: string): Promise<Buffer> {
  let bytes: Buffer;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new DataError(`not a regular file (${kindOf(st)})`);
    bytes = await readFile(path);
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`cannot read file: ${(err as Error).message}`);
  }
  return bytes;
}

function kindOf(st: Awaited<ReturnType<typeof stat>>): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a plain file';
}
