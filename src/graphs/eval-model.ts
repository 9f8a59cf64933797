/**
 * `evaluateModel(opts)` — the graph behind `tadsr eval-model`: run a model over a paired LQ/HR set at each t_s of
 * a sweep, score every output (PSNR / SSIM on Y in pyiqa's convention, NIQE in BasicSR's — `src/metrics`), and
 * write `report.json` + an offline `index.html` (table, PSNR–NIQE curve, before/after sliders) when `reportDir` is
 * given. The bicubic ×4 baseline (MATLAB `imresize`, 8-bit) is scored on the same pairs.
 *
 * The model is a directory loaded with {@link Upscaler} (`model`, on `backend`), or any function
 * `upscaleFn(lq, tS, id)` — e.g. a bicubic stand-in in tests, or a peer. Pairs are frames flowing through RxJS
 * operators; a bad pair (unreadable file, wrong size) becomes an error listed in the report, never fatal.
 *
 * ```ts
 * const { report } = await evaluateModel({
 *   model: 'models/default', lqDir: 'data/drealsr/lr', hrDir: 'data/drealsr/hr',
 *   tS: [100, 300, 500, 700, 900], reportDir: 'out/report',
 *   onProgress: (p) => console.error(`${p.done}/${p.total} ${p.id}`),
 * });
 * console.log(report.rows.map((r) => [r.tS, r.psnr, r.niqe]));
 * ```
 */
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import { DataError, type FrameError, isFrameError } from '../frame.js';
import type { RgbImage } from '../image.js';
import { readImageFile } from '../io/read-image-file.js';
import { writeImageFile } from '../io/encode-image.js';
import { resolveImagePaths } from '../io/list-images.js';
import { type ImageMetrics, type MeasureOptions, measureImage } from '../metrics/image-metrics.js';
import { bicubicUpscale } from '../metrics/matlab-imresize.js';
import { mergeMapFrames } from '../operators/frame-operator.js';
import type { Comparison, ImageScores, ReportData, ScoreRow } from '../report/report-data.js';
import { writeReport } from '../report/write-report.js';
import { checkTs } from '../schedule/timesteps.js';
import { pairByName } from './evaluate-pairing.js';
import { type ImageUpscaler, loadUpscaler } from '../peers/load-upscaler.js';

/** A model as a function: LQ → SR (×4) at timestep `tS`. `id` names the image (seeding, logs). */
export type UpscaleFn = (lq: RgbImage, tS: number, id: string) => Promise<RgbImage>;

export const DEFAULT_TS_SWEEP: readonly number[] = [100, 300, 500, 700, 900];

export interface EvaluateModelOptions {
  /** Model directory or GAN peer name, loaded with `loadUpscaler` (give this or `upscaleFn`). */
  readonly model?: string;
  /** Backend for `model` (default the upscaler's: `onnx`). */
  readonly backend?: string;
  /** Device for `model` (`auto`, `cpu`, `webgpu`, `cuda` on onnx). */
  readonly device?: string;
  /** The model as a function (used instead of `model`). */
  readonly upscaleFn?: UpscaleFn;
  /** Label of the model in the report (default the model dir, or `upscaleFn`). */
  readonly modelLabel?: string;
  readonly lqDir: string | readonly string[];
  readonly hrDir: string | readonly string[];
  /** t_s sweep (default 100, 300, 500, 700, 900); each an integer in [0, 999]. */
  readonly tS?: readonly number[];
  /** Write `report.json`, `index.html` and comparison PNGs here. */
  readonly reportDir?: string;
  /** Evaluate only the first N pairs (sorted by name). */
  readonly limit?: number;
  /** How many pairs get before/after sliders in the report (default 4). */
  readonly comparisons?: number;
  /** Score the bicubic ×4 baseline too (default true). */
  readonly bicubic?: boolean;
  /** Rows measured elsewhere on the same set (e.g. peers from bench/peers-upscalerjs.ts), shown and plotted as baselines. */
  readonly extraBaselines?: readonly ScoreRow[];
  readonly title?: string;
  /** Extra lines for the report header (backend, text-condition substitute, machine, …). */
  readonly notes?: readonly string[];
  readonly measure?: MeasureOptions;
  /** Called after each (pair, t_s) step and each failed pair. */
  readonly onProgress?: (p: { readonly done: number; readonly total: number; readonly id: string; readonly tS?: number }) => void;
}

export interface EvaluateModelResult {
  readonly report: ReportData;
  /** Paths written, when `reportDir` was given. */
  readonly files?: { readonly json: string; readonly html: string };
}

interface PairFrame {
  readonly id: string;
  readonly path: string;
  readonly hrPath: string;
}

interface LoadedPair extends PairFrame {
  readonly lq: RgbImage;
  readonly hq: RgbImage;
}

interface ScoredPair extends PairFrame {
  readonly scores: ImageScores;
  readonly comparison?: Comparison;
}

/** File-system-safe folder name for an image id. */
function safeName(id: string): string {
  return id.replace(/[^\w.-]+/g, '_');
}

async function readImage(path: string): Promise<RgbImage> {
  try {
    return await readImageFile(path);
  } catch (err) {
    throw err instanceof DataError ? new DataError(`${path}: ${err.message}`) : err;
  }
}

function measureOrDataError(sr: RgbImage, hq: RgbImage, opts: MeasureOptions | undefined): ImageMetrics {
  try {
    return measureImage(sr, hq, opts);
  } catch (err) {
    if (err instanceof RangeError) throw new DataError(err.message);
    throw err;
  }
}

function mean(xs: readonly (number | undefined)[]): number {
  const v = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

function median(xs: readonly number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Run the sweep; see the module doc. Usage errors (no model, bad t_s, missing directory) throw. */
export async function evaluateModel(opts: EvaluateModelOptions): Promise<EvaluateModelResult> {
  const sweep = [...(opts.tS ?? DEFAULT_TS_SWEEP)];
  if (sweep.length === 0) throw new Error('evaluateModel: the t_s list is empty');
  for (const t of sweep) checkTs(t);
  if (!opts.model && !opts.upscaleFn) throw new Error('evaluateModel: give a model directory (model) or an upscaleFn');
  const pairing = pairByName(resolveImagePaths(opts.lqDir), resolveImagePaths(opts.hrDir), 'lq');
  const pairs = pairing.pairs.slice(0, opts.limit ?? pairing.pairs.length);
  const nCompare = opts.comparisons ?? 4;
  const withBicubic = opts.bicubic ?? true;
  const reportDir = opts.reportDir;

  let upscaler: ImageUpscaler | undefined;
  let upscaleFn = opts.upscaleFn;
  if (!upscaleFn) {
    upscaler = await loadUpscaler(opts.model!, { ...(opts.backend ? { backend: opts.backend } : {}), ...(opts.device ? { variant: opts.device } : {}) });
    // a GAN peer has no t_s: one pass per image, not one per t_s of the sweep
    if (upscaler.ignoresTs) sweep.splice(1);
    const up = upscaler;
    upscaleFn = (lq, tS, id) => up.upscale(lq, { tS, id });
  }
  const run = upscaleFn;
  const total = pairs.length * sweep.length;
  let done = 0;
  const errors: FrameError[] = pairing.unpaired.map((u) => ({ kind: 'frame-error', id: u.path.replace(/^.*[\\/]/, ''), path: u.path, stage: 'pairing', message: u.reason }));
  const ids = pairs.map((p) => p.name);

  try {
    const items = await lastValueFrom(
      from(pairs.map((p): PairFrame => ({ id: p.name, path: p.srPath, hrPath: p.hrPath }))).pipe(
        mergeMapFrames('read-images', async (f: PairFrame): Promise<LoadedPair> => {
          const [lq, hq] = await Promise.all([readImage(f.path), readImage(f.hrPath)]);
          if (hq.width !== lq.width * 4 || hq.height !== lq.height * 4) {
            throw new DataError(`HR ${f.hrPath} is ${hq.width}x${hq.height}, expected 4x the LQ (${lq.width * 4}x${lq.height * 4})`);
          }
          return { ...f, lq, hq };
        }, 2),
        mergeMapFrames('upscale', async (f: LoadedPair): Promise<ScoredPair> => {
          const compare = reportDir !== undefined && ids.indexOf(f.id) < nCompare;
          const dir = `images/${safeName(f.id)}`;
          const bic = withBicubic || compare ? bicubicUpscale(f.lq, 4) : undefined;
          const sr: { tS: number; psnr?: number; ssim?: number; niqe?: number; ms: number }[] = [];
          const srPaths: { tS: number; path: string }[] = [];
          for (const tS of sweep) {
            const t0 = performance.now();
            const out = await run(f.lq, tS, f.id);
            const ms = performance.now() - t0;
            sr.push({ tS, ms, ...measureOrDataError(out, f.hq, opts.measure) });
            if (compare) {
              const rel = `${dir}/ts${tS}.png`;
              await writeImageFile(join(reportDir, rel), out);
              srPaths.push({ tS, path: rel });
            }
            opts.onProgress?.({ done: ++done, total, id: f.id, tS });
          }
          const scores: ImageScores = {
            id: f.id,
            ...(withBicubic && bic ? { bicubic: measureOrDataError(bic, f.hq, opts.measure) } : {}),
            sr,
          };
          let comparison: Comparison | undefined;
          if (compare && bic) {
            await writeImageFile(join(reportDir, `${dir}/bicubic.png`), bic);
            await writeImageFile(join(reportDir, `${dir}/hr.png`), f.hq);
            comparison = { id: f.id, width: f.hq.width, height: f.hq.height, bicubic: `${dir}/bicubic.png`, hr: `${dir}/hr.png`, sr: srPaths };
          }
          return { id: f.id, path: f.path, hrPath: f.hrPath, scores, ...(comparison ? { comparison } : {}) };
        }, 1),
        toArray(),
      ),
    );

    const scored: ScoredPair[] = [];
    for (const it of items) {
      if (isFrameError(it)) {
        errors.push(it);
        done += sweep.length;
        opts.onProgress?.({ done, total, id: it.id });
      } else scored.push(it);
    }
    scored.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const rows: ScoreRow[] = sweep.map((tS, k) => {
      const at = scored.map((s) => s.scores.sr[k]);
      return {
        label: upscaler?.ignoresTs ? `${opts.modelLabel ?? opts.model} (GAN peer, no t_s)` : `t_s = ${tS}`,
        tS,
        n: scored.length,
        psnr: mean(at.map((a) => a.psnr)),
        ssim: mean(at.map((a) => a.ssim)),
        niqe: mean(at.map((a) => a.niqe)),
        msPerImage: median(at.map((a) => a.ms)),
      };
    });
    const baselines: ScoreRow[] = withBicubic
      ? [{
          label: 'bicubic ×4',
          n: scored.length,
          psnr: mean(scored.map((s) => s.scores.bicubic?.psnr)),
          ssim: mean(scored.map((s) => s.scores.bicubic?.ssim)),
          niqe: mean(scored.map((s) => s.scores.bicubic?.niqe)),
        }]
      : [];
    baselines.push(...(opts.extraBaselines ?? []));
    const label = opts.modelLabel ?? opts.model ?? 'upscaleFn';
    const report: ReportData = {
      title: opts.title ?? `tadsr evaluation: ${label}`,
      created: new Date().toISOString(),
      notes: [
        `model ${label}${upscaler ? ` on ${upscaler.backend.info.runtime}` : ''}`,
        `${scored.length} pairs scored, ${errors.length} failed; t_s sweep ${sweep.join(', ')}`,
        ...(opts.notes ?? []),
      ],
      lqDir: String(opts.lqDir),
      hrDir: String(opts.hrDir),
      rows,
      baselines,
      comparisons: scored.flatMap((s) => (s.comparison ? [s.comparison] : [])),
      images: scored.map((s) => s.scores),
      errors: errors.map((e) => ({ id: e.id, stage: e.stage, message: e.message })),
    };
    const files = reportDir !== undefined ? await writeReport(reportDir, report) : undefined;
    return files ? { report, files } : { report };
  } finally {
    await upscaler?.dispose();
  }
}
