/**
 * `readImages(field)` — decode the file at `frame.path` into `frame[field]` (default `hq`).
 *
 * Unreadable files (empty, truncated, not an image, too large) become {@link FrameError}s naming the file;
 * the good frames keep flowing. `concurrency` bounds how many files are decoded at once (and so memory).
 *
 * ```ts
 * listImages('photos/').pipe(readImages('hq'), degrade(), writeImages('out/', 'lq'))
 * ```
 */
import { readFile } from 'node:fs/promises';
import type { OperatorFunction } from 'rxjs';
import { DataError, type Frame, type FrameFields, type Item } from '../frame.js';
import type { RgbImage } from '../image.js';
import { type DecodeOptions, decodeImage } from '../io/decode-image.js';
import { mergeMapFrames } from './frame-operator.js';

export interface ReadImagesOptions extends DecodeOptions {
  readonly concurrency?: number;
}

export function readImages<In extends Frame & { readonly path: string }, K extends 'hq' | 'lq' | 'sr' = 'hq'>(
  field: K = 'hq' as K,
  opts: ReadImagesOptions = {},
): OperatorFunction<Item<In>, Item<In & { readonly [P in K]: FrameFields[P] }>> {
  return mergeMapFrames('read-images', async (frame: In) => {
    let bytes: Buffer;
    try {
      bytes = await readFile(frame.path);
    } catch (err) {
      throw new DataError(`cannot read file: ${(err as Error).message}`);
    }
    const img: RgbImage = await decodeImage(bytes, opts);
    return { ...frame, [field]: img } as In & { readonly [P in K]: FrameFields[P] };
  }, opts.concurrency ?? 2);
}
