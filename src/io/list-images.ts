/**
 * The source of most graphs: the image files of a directory (sorted by name) or an explicit list, as frames
 * `{ id, path }`. `id` is the file name without its extension. Nothing is read here; `readImages()` decodes.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { type Observable, from } from 'rxjs';
import type { Has } from '../frame.js';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.bmp'] as const;

export function isImagePath(p: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(p).toLowerCase());
}

export function idFromPath(p: string): string {
  return basename(p, extname(p));
}

/**
 * Expand directories (non-recursive, image extensions only, sorted) and keep files as given.
 * Throws for a path that does not exist (a usage error, not a data error).
 */
export function resolveImagePaths(inputs: string | readonly string[]): string[] {
  const list = typeof inputs === 'string' ? [inputs] : inputs;
  const out: string[] = [];
  for (const p of list) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new Error(`no such file or directory: ${p}`);
    }
    if (st.isDirectory()) {
      const names = readdirSync(p).filter(isImagePath).sort();
      out.push(...names.map((n) => join(p, n)));
    } else {
      out.push(p);
    }
  }
  return out;
}

export function listImages(inputs: string | readonly string[]): Observable<Has<'path'>> {
  return from(resolveImagePaths(inputs).map((path) => ({ id: idFromPath(path), path })));
}
