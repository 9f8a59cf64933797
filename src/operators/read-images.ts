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
import type { OperatorFunction } from 'rxjs';
import type { Frame, FrameFields, Item } from '../frame.js';
import type { RgbImage } from '../image.js';
import type { DecodeOptions } from '../io/decode-image.js';
import { readImageFile } from '../io/read-image-file.js';
import { mergeMapFrames } from './frame-operator.js';

export interface ReadImagesOptions extends DecodeOptions {
  readonly concurrency?: number;
}

export function readImages<In extends Frame & { readonly path: string }, K extends 'hq' | 'lq' | 'sr' = 'hq'>(
  field: K = 'hq' as K,
  opts: ReadImagesOptions = {},
): OperatorFunction<Item<In>, Item<In & { readonly [P in K]: FrameFields[P] }>> {
  return mergeMapFrames('read-images', async (frame: In) => {
    const img: RgbImage = await readImageFile(frame.path, opts);
    return { ...frame, [field]: img } as In & { readonly [P in K]: FrameFields[P] };
  }, opts.concurrency ?? 2);
}
