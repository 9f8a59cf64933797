/**
 * What `tadsr upscale` will read and write, decided before the model loads, and the work it will cost:
 *
 * - Outputs: a folder in gives a folder out (same file names); one file in with an image name for `-o` gives that
 *   file; `-o x.txt` for one file is refused (not an image name). Refused whatever the options: an output that is
 *   one of the inputs (it would destroy the original) and two inputs that would write the same output. Existing
 *   outputs are replaced only with `overwrite`. The output folder must be writable (probed, nothing created).
 * - Inputs: files that are not regular files (FIFOs, sockets, devices) are skipped and reported, never opened.
 * - Budgets: a pixel budget per image read from the image header before decoding (the message gives the estimated
 *   time and memory), and a tile size checked against this machine's memory before anything is allocated.
 *
 * ```ts
 * const plan = planUpscale(['lq/'], 'sr/', { overwrite: false });   // { jobs, skipped }
 * checkTileMemory(spec, 1024);                                      // BudgetError: --tile 1024 needs about …
 * ```
 */
import { type Stats, readdirSync, realpathSync, statSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { DataError } from '../frame.js';
import { IMAGE_EXTENSIONS, isImagePath } from '../io/list-images.js';
import { OutputError, probeWritable } from '../io/safe-output.js';
import { flopsOf } from '../models/flops.js';
import type { ModelSpec } from '../models/specs.js';
import { tileStarts } from '../tiling/plan.js';

/** A work size this machine cannot hold (tile too large for memory): a usage error, nothing was allocated. */
export class BudgetError extends Error {
  override name = 'BudgetError';
}

export interface UpscaleJob {
  readonly path: string;
  readonly out: string;
}

export interface UpscalePlan {
  readonly jobs: readonly UpscaleJob[];
  /** Inputs that are not regular files: reported as failures, never opened. */
  readonly skipped: readonly { readonly path: string; readonly message: string }[];
}

/** Extensions the output encoder writes (others would be written as PNG under a misleading name). */
export const OUTPUT_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;

function fileKind(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a plain file';
}

/** `resolve(p)` with the symbolic links of its existing part resolved (so `a/../b` and links compare equal). */
function canonical(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(canonical(parent), basename(abs));
  }
}

/** Pair every input with its output and check them all; throws an {@link OutputError} (usage, exit 2). */
export function planUpscale(inputs: readonly string[], out: string, opts: { readonly overwrite?: boolean } = {}): UpscalePlan {
  if (inputs.length === 0) throw new OutputError('no input given');
  const stats = inputs.map((p) => {
    try {
      return statSync(p);
    } catch {
      throw new OutputError(`input not found: ${p}`);
    }
  });
  const outStat = (() => {
    try {
      return statSync(out);
    } catch {
      return undefined;
    }
  })();
  const singleFile = inputs.length === 1 && !stats[0]!.isDirectory();
  const candidates: { path: string; out: string }[] = [];
  const skipped: { path: string; message: string }[] = [];
  const add = (path: string, st: Stats, target: string) => {
    if (st.isFile()) candidates.push({ path, out: target });
    else skipped.push({ path, message: `not a regular file (${fileKind(st)})` });
  };
  if (singleFile && !outStat?.isDirectory() && extname(out) !== '') {
    if (!(OUTPUT_EXTENSIONS as readonly string[]).includes(extname(out).toLowerCase())) {
      throw new OutputError(`-o ${out}: "${extname(out)}" is not an image type tadsr writes (${OUTPUT_EXTENSIONS.join(', ')}); name an image file or a folder`);
    }
    add(inputs[0]!, stats[0]!, out);
  } else {
    if (outStat !== undefined && !outStat.isDirectory()) throw new OutputError(`output ${out} is a file; give a folder for ${singleFile ? 'an output without an image extension' : 'several inputs'}`);
    inputs.forEach((p, i) => {
      const st = stats[i]!;
      if (!st.isDirectory()) {
        add(p, st, join(out, basename(p)));
        return;
      }
      for (const name of readdirSync(p).filter(isImagePath).sort()) {
        const path = join(p, name);
        let s;
        try {
          s = statSync(path);
        } catch (err) {
          skipped.push({ path, message: `cannot read file: ${(err as Error).message}` });
          continue;
        }
        if (s.isDirectory()) continue;
        add(path, s, join(out, name));
      }
    });
  }
  if (candidates.length === 0 && skipped.length === 0) {
    throw new OutputError(`no images found in ${inputs.join(', ')} (looked for ${IMAGE_EXTENSIONS.join(' ')})`);
  }
  const inputsByReal = new Map<string, string>();
  for (const j of [...candidates, ...skipped]) inputsByReal.set(canonical(j.path), j.path);
  const byOut = new Map<string, string>();
  const existing: string[] = [];
  for (const j of candidates) {
    const key = canonical(j.out);
    const input = inputsByReal.get(key);
    if (input !== undefined) {
      throw new OutputError(`output ${j.out} is the input ${input}: writing it would destroy the original; choose another -o`);
    }
    const other = byOut.get(key);
    if (other !== undefined) {
      throw new OutputError(`${other} and ${j.path} would both be written to ${j.out}; upscale them into different folders`);
    }
    byOut.set(key, j.path);
    let st;
    try {
      st = statSync(j.out);
    } catch {
      continue;
    }
    if (st.isDirectory()) throw new OutputError(`output ${j.out} is a folder; choose another -o`);
    existing.push(j.out);
  }
  if (existing.length > 0 && opts.overwrite !== true) {
    const list = existing.slice(0, 3).join(', ') + (existing.length > 3 ? `, … (${existing.length - 3} more)` : '');
    throw new OutputError(`${existing.length} output file(s) already exist: ${list}; pass --overwrite to replace them`);
  }
  for (const dir of new Set(candidates.map((j) => dirname(j.out)))) probeWritable(dir);
  return { jobs: candidates, skipped };
}

/** LQ pixels per image allowed by default: what this machine's memory holds with room to spare. */
export function defaultMaxPixels(memoryBytes = totalmem()): number {
  // Per LQ pixel: the 8-bit ×4 output (48 B), its encoded copy inside sharp (≤ 48 B), the decoded float LQ (12 B).
  return Math.floor(memoryBytes / 4 / 128);
}

/**
 * Rough seconds to upscale a `width`×`height` LQ image with `spec` tiled at `tile`/`overlap`: FLOPs of every tile
 * at ~100 GFLOP/s, the rate the shipped model reaches on a 2-core CPU (0.6 s for 128² → 512², 68 GFLOP).
 */
export function estimateUpscaleSeconds(spec: ModelSpec, width: number, height: number, tile = 128, overlap = Math.min(32, Math.floor(tile / 4))): number {
  const tw = Math.min(tile, width);
  const th = Math.min(tile, height);
  const tiles = tileStarts(width, tile, overlap).length * tileStarts(height, tile, overlap).length;
  const multiple = 2 ** (spec.vae.blockOutChannels.length - 1) * 2 ** (spec.unet.blockOutChannels.length - 1);
  const up = (n: number) => Math.ceil((n * 4) / multiple) * multiple;
  const f = flopsOf(spec, 'student', up(th), up(tw));
  return (tiles * (f.dense + f.other)) / 1e11;
}

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function mp(pixels: number): string {
  return pixels >= 1e5 ? `${(pixels / 1e6).toFixed(1)} MP` : `${pixels} pixels`;
}

/**
 * Refuse an image over `maxPixels` LQ pixels, from its header (nothing is decoded): a {@link DataError} (that file
 * fails, the others go on) with its size, the estimated time and output memory, and the option to pass.
 */
export async function checkPixelBudget(path: string, maxPixels: number, estimate: (w: number, h: number) => number): Promise<void> {
  let width: number | undefined;
  let height: number | undefined;
  try {
    ({ width, height } = await sharp(path, { limitInputPixels: false }).metadata());
  } catch {
    return; // not readable as an image: the decoder reports it
  }
  if (!width || !height || width * height <= maxPixels) return;
  const outBytes = width * height * 48;
  throw new DataError(
    `image is ${width}x${height} (${mp(width * height)}), over the budget of ${mp(maxPixels)} (--max-pixels ${maxPixels}): ` +
      `the ×4 output would take ~${formatDuration(estimate(width, height))} on a 2-core CPU and ${(outBytes / 2 ** 30).toFixed(1)} GiB of memory; ` +
      `pass --max-pixels ${width * height} to upscale it anyway`,
  );
}

/**
 * Bytes one tile of `tile` LQ pixels needs at its peak: the largest attention matrix (heads × tokens² floats, at
 * the latent resolution for the VAE's mid block and each attending UNet level) plus the full-resolution activations
 * of the VAE's first block. A lower bound: runtimes add their own buffers.
 */
export function tileMemoryBytes(spec: ModelSpec, tile: number, margin = 3): number {
  const side = (tile + 2 * margin) * 4;
  const vaeDown = 2 ** (spec.vae.blockOutChannels.length - 1);
  const latent = Math.ceil(side / vaeDown);
  let attn = spec.vae.midBlockAddAttention ? (latent * latent) ** 2 * 4 : 0;
  spec.unet.downBlockTypes.forEach((t, i) => {
    if (t !== 'CrossAttnDownBlock2D') return;
    const s = Math.ceil(latent / 2 ** i);
    attn = Math.max(attn, (spec.unet.attentionHeads[i] ?? 1) * (s * s) ** 2 * 4);
  });
  const activations = side * side * (spec.vae.blockOutChannels[0] ?? 64) * 4 * 4;
  return attn + activations;
}

/** Refuse a tile (or bench image) side whose estimated peak memory exceeds 3/4 of this machine's memory (before allocating). */
export function checkTileMemory(spec: ModelSpec, tile: number, memoryBytes = totalmem(), flag = '--tile'): void {
  const need = tileMemoryBytes(spec, tile);
  if (need <= memoryBytes * 0.75) return;
  let fits = tile;
  while (fits > 8 && tileMemoryBytes(spec, fits) > memoryBytes * 0.75) fits = Math.floor(fits / 2);
  throw new BudgetError(
    `${flag} ${tile} needs about ${(need / 2 ** 30).toFixed(1)} GiB (attention at the latent resolution grows with side⁴) ` +
      `and this machine has ${(memoryBytes / 2 ** 30).toFixed(1)} GiB; use ${flag} ${fits} or less`,
  );
}
