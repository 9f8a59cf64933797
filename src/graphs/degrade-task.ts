/**
 * One unit of `degradeDataset` work, run inside a worker thread (or in-thread): read + decode an HQ file,
 * crop + degrade it, and write `hq/ID.png`, `lq/ID.png` and the manifest fragment `manifest.d/ID.json` —
 * each atomically (temp name + rename), the fragment last, so a fragment's existence means the pair is whole.
 *
 * Bad input (unreadable, not an image, too large, ...) comes back as `{ ok: false }` with the reason;
 * anything else (a full disk, a bug) is thrown.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { DataError } from '../frame.js';
import type { RgbImage } from '../image.js';
import type { RawImage } from '../io/decode-image.js';
import { readImageFileRaw } from '../io/read-image-file.js';
import { writeFileAtomic } from '../io/encode-image.js';
import type { DegradationConfig } from '../degradation/config.js';
import { type DegradationRecord, degradeImage } from '../degradation/pipeline.js';

export interface PairTask {
  readonly id: string;
  readonly path: string;
  readonly outDir: string;
  readonly seed: number;
  readonly config: DegradationConfig;
  readonly maxPixels?: number;
  /** zlib level of the written PNGs (0–9), default 6. */
  readonly pngCompression?: number;
}

export type PairResult =
  | { readonly id: string; readonly ok: true; readonly ms: number }
  | { readonly id: string; readonly ok: false; readonly message: string };

/** One manifest line: what was written and every sampled parameter. */
export interface ManifestEntry {
  readonly id: string;
  readonly source: string;
  readonly hq: string;
  readonly lq: string;
  readonly degradation: DegradationRecord;
}

export function pairPaths(outDir: string, id: string): { hq: string; lq: string; fragment: string } {
  return {
    hq: join(outDir, 'hq', `${id}.png`),
    lq: join(outDir, 'lq', `${id}.png`),
    fragment: join(outDir, 'manifest.d', `${id}.json`),
  };
}

async function png(img: RgbImage, bitDepth: 8 | 16, level: number): Promise<Buffer> {
  const n = img.data.length;
  if (bitDepth === 16) {
    const u16 = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      const v = Math.round(img.data[i] * 65535);
      u16[i] = v < 0 ? 0 : v > 65535 ? 65535 : v;
    }
    return sharp(u16, { raw: { width: img.width, height: img.height, channels: 3 } })
      .toColourspace('rgb16')
      .png({ compressionLevel: level })
      .toBuffer();
  }
  const u8 = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    const v = Math.round(img.data[i] * 255);
    u8[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return sharp(u8, { raw: { width: img.width, height: img.height, channels: 3 } }).png({ compressionLevel: level }).toBuffer();
}

export async function runPairTask(task: PairTask): Promise<PairResult> {
  const t0 = performance.now();
  let img: RawImage;
  try {
    // integers: only the crop becomes float (no full-size float copy of a large photo)
    img = await readImageFileRaw(task.path, task.maxPixels === undefined ? {} : { maxPixels: task.maxPixels });
  } catch (err) {
    if (err instanceof DataError) return { id: task.id, ok: false, message: oneLine(err.message) };
    throw err;
  }
  const { hq, lq, record } = await degradeImage(img, task.config, task.seed, task.id);
  const level = task.pngCompression ?? 6;
  const [hqPng, lqPng] = await Promise.all([png(hq, img.bitDepth === 16 ? 16 : 8, level), png(lq, 8, level)]);
  const paths = pairPaths(task.outDir, task.id);
  await writeFileAtomic(paths.hq, hqPng);
  await writeFileAtomic(paths.lq, lqPng);
  const entry: ManifestEntry = {
    id: task.id,
    source: task.path,
    hq: `hq/${task.id}.png`,
    lq: `lq/${task.id}.png`,
    degradation: record,
  };
  await writeFileAtomic(paths.fragment, `${JSON.stringify(entry)}\n`);
  return { id: task.id, ok: true, ms: performance.now() - t0 };
}

/** libvips repeats warnings over several lines: keep each distinct line once, on one line. */
function oneLine(message: string): string {
  return [...new Set(message.split('\n').map((l) => l.trim()).filter(Boolean))].join('; ');
}
