/**
 * `writeImages(dir, field)` — write `frame[field]` to `dir/<id>.png` atomically (temp name, then rename) and
 * add the written path as `written`. Errors travel through unchanged; a failed write is a data error.
 *
 * ```ts
 * frames$.pipe(writeImages('out/lq', 'lq'))
 * ```
 */
import { join } from 'node:path';
import type { OperatorFunction } from 'rxjs';
import { DataError, type Frame, type FrameFields, type Item } from '../frame.js';
import { type EncodeOptions, writeImageFile } from '../io/encode-image.js';
import { mergeMapFrames } from './frame-operator.js';

export interface WriteImagesOptions extends EncodeOptions {
  /** File extension, default `.png`. */
  readonly ext?: string;
  readonly concurrency?: number;
}

export function writeImages<K extends 'hq' | 'lq' | 'sr', In extends Frame & { readonly [P in K]: FrameFields[P] }>(
  dir: string,
  field: K,
  opts: WriteImagesOptions = {},
): OperatorFunction<Item<In>, Item<In & { readonly written: string }>> {
  const ext = opts.ext ?? '.png';
  return mergeMapFrames('write-images', async (frame: In) => {
    const path = join(dir, `${frame.id}${ext}`);
    try {
      await writeImageFile(path, frame[field], opts);
    } catch (err) {
      throw new DataError(`cannot write ${path}: ${(err as Error).message}`);
    }
    return { ...frame, written: path };
  }, opts.concurrency ?? 2);
}
