/**
 * One-step TADSR inference over files and folders (`tadsr upscale`): a folder in gives a folder out with the same
 * file names; a file in gives the named file out. Every image is tiled (any size; Gaussian blending; every tile at
 * the same t_s), colour-fixed and written atomically; output rows are streamed into an 8-bit buffer so memory
 * stays at one output byte buffer plus a band of float rows, whatever the input size. A bad file becomes an
 * `error` event and the run goes on. Each image runs `upscaleGraph` (src/graphs/upscale-graph.ts: `tiled` →
 * `oneStep` → `colorFix`, the operators of src/operators) through the loaded {@link Upscaler}.
 *
 * ```ts
 * upscale(['photos/'], 'out/', { model: 'models/default', tS: 500 }).subscribe((e) => console.log(e.type));
 * ```
 */
import { Observable } from 'rxjs';
import sharp from 'sharp';
import type { ColorFixMode } from '../color/color-fix.js';
import { DataError } from '../frame.js';
import { readImageFile } from '../io/read-image-file.js';
import { formatFromPath, writeFileAtomic } from '../io/encode-image.js';
import { idFromPath } from '../io/list-images.js';
import type { OneStepFormula } from '../schedule/one-step.js';
import { checkTs } from '../schedule/timesteps.js';
import { checkTileOptions } from '../tiling/plan.js';
import { TagsFileError, officialPrompt, readTagsFile, tagsKey } from '../text/prompt.js';
import { loadUpscaler } from '../peers/load-upscaler.js';
import type { Upscaler } from './upscaler.js';
import { checkPixelBudget, checkTileMemory, defaultMaxPixels, estimateUpscaleSeconds, planUpscale } from './upscale-plan.js';

export { Upscaler } from './upscaler.js';

export interface UpscaleOptions {
  /** Model directory (default `models/default` of this package), or a GAN peer name (`realesr-general-x4v3`, `realesrgan-x4plus`; t_s ignored). */
  readonly model?: string;
  readonly tS?: number;
  readonly tile?: number;
  readonly overlap?: number;
  /** Tiles share GroupNorm/attention/colour statistics (ONNX; outputs up to 1024²; see UpscaleImageOptions). */
  readonly sharedNorm?: boolean;
  readonly colorFix?: ColorFixMode;
  readonly formula?: OneStepFormula;
  readonly backend?: string;
  /** Device of the backend (`auto`, `cpu`, `webgpu`, `cuda` for onnx; see src/backends/onnx/device.ts). */
  readonly device?: string;
  readonly seed?: number;
  /** Only 4 is supported (the model's factor). */
  readonly scale?: number;
  /** Replace outputs that exist already (default: refuse, naming them). Inputs are never replaced. */
  readonly overwrite?: boolean;
  /** LQ pixels per image (checked from the header before decoding); default {@link defaultMaxPixels}. */
  readonly maxPixels?: number;
  /** Use an already loaded upscaler (the caller disposes it). */
  readonly upscaler?: Upscaler;
  /**
   * User prompt (`--prompt`), for a model with a text encoder: each image's prompt is `"{tags}, {prompt},"` as in
   * the official inference. Without prompt and tags, the empty prompt's embedding conditions the UNet.
   */
  readonly prompt?: string;
  /** JSON-lines tags file (`--tags`): `{"name": "0001.png", "tags": "building, sky"}` per image (e.g. from DAPE/RAM). */
  readonly tags?: string;
}

export type UpscaleEvent =
  | { readonly type: 'start'; readonly files: number; readonly backend: string; readonly model: string }
  | { readonly type: 'tile'; readonly path: string; readonly index: number; readonly count: number }
  | { readonly type: 'file'; readonly path: string; readonly out: string; readonly width: number; readonly height: number; readonly ms: number }
  | { readonly type: 'error'; readonly path: string; readonly message: string }
  | { readonly type: 'done'; readonly ok: number; readonly failed: number };

/** The package's default model directory. */
export function defaultModelDir(): string {
  return new URL('../../models/default', import.meta.url).pathname;
}

/** A usage error of `upscale` (bad arguments); the message names the problem. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Pair every input file with its output path (checked: see {@link planUpscale}). */
export function planOutputs(inputs: readonly string[], out: string, opts: { readonly overwrite?: boolean } = {}): { path: string; out: string }[] {
  return [...planUpscale(inputs, out, opts).jobs];
}

/** Upscale files/folders to `out`; events as they happen. */
export function upscale(inputs: readonly string[], out: string, opts: UpscaleOptions = {}): Observable<UpscaleEvent> {
  return new Observable<UpscaleEvent>((sub) => {
    let cancelled = false;
    (async () => {
      if (opts.scale !== undefined && opts.scale !== 4) throw new UsageError(`--scale ${opts.scale}: only ×4 models exist`);
      if (opts.tS !== undefined) {
        try {
          checkTs(opts.tS);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      if (opts.tile !== undefined) {
        try {
          checkTileOptions({ tile: opts.tile, overlap: opts.overlap ?? Math.min(32, Math.floor(opts.tile / 4)) });
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      const { jobs, skipped } = planUpscale(inputs, out, opts.overwrite !== undefined ? { overwrite: opts.overwrite } : {});
      let tags: Map<string, string> | undefined;
      if (opts.tags !== undefined) {
        try {
          tags = await readTagsFile(opts.tags);
        } catch (err) {
          if (err instanceof TagsFileError) throw new UsageError(err.message);
          throw err;
        }
      }
      const modelDir = opts.model ?? defaultModelDir();
      const up = opts.upscaler ?? (await loadUpscaler(modelDir, { ...(opts.backend ? { backend: opts.backend } : {}), ...(opts.device ? { variant: opts.device } : {}) }));
      if (!up.prompts && (opts.prompt !== undefined || tags !== undefined)) {
        if (!opts.upscaler) await up.dispose();
        throw new UsageError(`the model ${modelDir} has no text encoder, so --prompt/--tags cannot be used (export a model with its text_encoder and tokenizer)`);
      }
      let ok = 0;
      let failed = 0;
      try {
        // GAN peers have no model spec: their tiles are small convnets, no attention-memory budget to check
        const spec = 'model' in up ? (up as Upscaler).model.manifest.spec : undefined;
        if (spec !== undefined) checkTileMemory(spec, opts.tile ?? 128);
        const maxPixels = opts.maxPixels ?? defaultMaxPixels();
        sub.next({ type: 'start', files: jobs.length + skipped.length, backend: up.backend.info.runtime, model: modelDir });
        for (const s of skipped) {
          failed++;
          sub.next({ type: 'error', path: s.path, message: s.message });
        }
        for (const job of jobs) {
          if (cancelled) break;
          const t0 = performance.now();
          try {
            let prompt: string | undefined;
            if (tags !== undefined) {
              const t = tags.get(tagsKey(job.path));
              if (t === undefined) throw new DataError(`no tags for ${tagsKey(job.path)} in ${opts.tags}`);
              prompt = officialPrompt(t, opts.prompt);
            } else if (opts.prompt !== undefined) {
              prompt = officialPrompt(undefined, opts.prompt);
            }
            await checkPixelBudget(job.path, maxPixels, (w, h) => (spec === undefined ? Number.NaN : estimateUpscaleSeconds(spec, w, h, opts.tile, opts.overlap)));
            const lq = await readImageFile(job.path, { maxPixels: Math.max(maxPixels, 1), autoOrient: true });
            const W = lq.width * up.scale;
            const H = lq.height * up.scale;
            const bytes = new Uint8Array(W * H * 3);
            await up.upscaleRows(
              lq,
              {
                ...(opts.tS !== undefined ? { tS: opts.tS } : {}),
                ...(opts.tile !== undefined ? { tile: opts.tile } : {}),
                ...(opts.overlap !== undefined ? { overlap: opts.overlap } : {}),
                ...(opts.sharedNorm ? { sharedNorm: true } : {}),
                ...(opts.colorFix ? { colorFix: opts.colorFix } : {}),
                ...(opts.formula ? { formula: opts.formula } : {}),
                ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
                ...(prompt !== undefined ? { prompt } : {}),
                id: idFromPath(job.path),
                onTile: (index, count) => sub.next({ type: 'tile', path: job.path, index, count }),
              },
              (y, row) => {
                const o = y * W * 3;
                for (let i = 0; i < row.length; i++) {
                  const v = Math.round(row[i]! * 255);
                  bytes[o + i] = v < 0 ? 0 : v > 255 ? 255 : v;
                }
              },
            );
            const s = sharp(bytes, { raw: { width: W, height: H, channels: 3 }, limitInputPixels: false });
            const fmt = formatFromPath(job.out);
            const encoded = fmt === 'jpeg' ? await s.jpeg({ quality: 95 }).toBuffer() : fmt === 'webp' ? await s.webp({ quality: 95 }).toBuffer() : await s.png().toBuffer();
            await writeFileAtomic(job.out, encoded);
            ok++;
            sub.next({ type: 'file', path: job.path, out: job.out, width: W, height: H, ms: Math.round(performance.now() - t0) });
          } catch (err) {
            if (!(err instanceof DataError)) throw err;
            failed++;
            sub.next({ type: 'error', path: job.path, message: err.message });
          }
        }
        sub.next({ type: 'done', ok, failed });
      } finally {
        if (!opts.upscaler) await up.dispose();
      }
    })().then(
      () => sub.complete(),
      (err: unknown) => sub.error(err),
    );
    return () => {
      cancelled = true;
    };
  });
}

