/**
 * `evaluate(opts)` — the graph behind `tadsr eval`: pair SR results with HR references by name, measure each
 * pair, and summarise. Scores: PSNR and SSIM on the Y channel in pyiqa's convention (as OSEDiff / TADSR
 * report them), NIQE in BasicSR's convention (see `src/metrics`).
 *
 * With `bicubicLqDir` instead of `srDir`, the "SR" image is the bicubic baseline: each LQ image upscaled ×`scale`
 * by MATLAB `imresize(lq, scale, 'bicubic')` and quantised to 8 bits, as a saved PNG would be.
 *
 * Emits `start` (how many pairs), one `image` or `error` event per pair, an `error` per unpaired file, and
 * a final `summary`. Bad files are reported, never fatal; a missing directory is a usage error (the
 * Observable errors).
 *
 * ```ts
 * evaluate({ srDir: 'out/', hrDir: 'data/hr' }).subscribe((e) => {
 *   if (e.kind === 'summary') console.log(e.summary.mean);
 * });
 * ```
 */
import { type Observable, concat, defer, finalize, from, map, of } from 'rxjs';
import { DataError, type FrameError, type Has, type Item, isFrameError } from '../frame.js';
import type { RgbImage } from '../image.js';
import { readImageFile } from '../io/read-image-file.js';
import { resolveImagePaths } from '../io/list-images.js';
import { type ImageMetrics, METRIC_NAMES, type MeasureOptions, type MetricName } from '../metrics/image-metrics.js';
import { bicubicUpscale } from '../metrics/matlab-imresize.js';
import { MeasurePool } from '../metrics/measure-pool.js';
import { mapFrames, mergeMapFrames } from '../operators/frame-operator.js';
import { type WithMetrics, measure } from '../operators/measure.js';
import { type FilePair, pairByName } from './evaluate-pairing.js';

export interface EvaluateOptions extends MeasureOptions {
  /** Directory (or files) of SR results. Not needed with `bicubicLqDir`. */
  readonly srDir?: string | readonly string[];
  /** Directory (or files) of HR references. */
  readonly hrDir: string | readonly string[];
  /** Evaluate the bicubic ×`scale` baseline of these LQ images instead of SR files. */
  readonly bicubicLqDir?: string | readonly string[];
  /** Upscaling factor of the bicubic baseline (default 4). */
  readonly scale?: number;
  /** Files decoded at once (default 2). */
  readonly concurrency?: number;
  /** Worker threads computing the metrics (default 0: in this thread). Scores are identical either way. */
  readonly workers?: number;
}

export interface ImageResult extends ImageMetrics {
  readonly name: string;
  /** The SR file (or the LQ file of the bicubic baseline). */
  readonly srPath: string;
  readonly hrPath: string;
}

export interface EvaluateError {
  readonly name: string;
  readonly path?: string;
  /** `pairing` (unpaired file), `read-images`, `check-size` or `measure`. */
  readonly stage: string;
  readonly message: string;
}

export interface EvaluateSummary {
  /** Images measured. */
  readonly n: number;
  /** Mean of each metric over the images where it is finite (NaN when none). */
  readonly mean: ImageMetrics;
  /** Per image, sorted by name. */
  readonly images: ImageResult[];
  /** Unpaired or unreadable files, and pairs that could not be measured. */
  readonly errors: EvaluateError[];
  readonly metrics: readonly MetricName[];
}

export type EvaluateEvent =
  | { readonly kind: 'start'; readonly total: number; readonly unpaired: number }
  | { readonly kind: 'image'; readonly result: ImageResult }
  | { readonly kind: 'error'; readonly error: EvaluateError }
  | { readonly kind: 'summary'; readonly summary: EvaluateSummary };

type PairFrame = Has<'path'> & { readonly hrPath: string };

export function evaluate(opts: EvaluateOptions): Observable<EvaluateEvent> {
  return defer(() => {
    const metrics = opts.metrics ?? METRIC_NAMES;
    const bicubic = opts.bicubicLqDir !== undefined;
    const srSource = opts.bicubicLqDir ?? opts.srDir;
    if (srSource === undefined) throw new Error('evaluate: give srDir (SR results) or bicubicLqDir (LQ images for the bicubic baseline)');
    const scale = opts.scale ?? 4;
    const pairing = pairByName(resolveImagePaths(srSource), resolveImagePaths(opts.hrDir), bicubic ? 'lq' : 'sr');
    const images: ImageResult[] = [];
    const errors: EvaluateError[] = pairing.unpaired.map((u) => ({ name: idOf(u.path), path: u.path, stage: 'pairing', message: u.reason }));
    const frames: PairFrame[] = pairing.pairs.map((p: FilePair) => ({ id: p.name, path: p.srPath, hrPath: p.hrPath }));

    const workers = opts.workers ?? 0;
    const pool = workers > 0 ? new MeasurePool(workers) : undefined;
    type Read = PairFrame & { sr: RgbImage; hq: RgbImage };
    const read$ = from(frames).pipe(
      mergeMapFrames('read-images', async (f: PairFrame): Promise<Read> => {
        const [sr, hq] = await Promise.all([readImage(f.path), readImage(f.hrPath)]);
        return { ...f, sr, hq };
      }, opts.concurrency ?? Math.max(2, workers)),
    );
    const scored$: Observable<Item<PairFrame & WithMetrics>> = pool
      ? read$.pipe(
        mergeMapFrames('measure', async (f: Read) => {
          const r = await pool.measure({ sr: f.sr, hr: f.hq, bicubicScale: bicubic ? scale : undefined, opts: measureOpts(opts) });
          if ('dataError' in r) throw new DataError(r.dataError);
          return { id: f.id, path: f.path, hrPath: f.hrPath, metrics: r.metrics };
        }, 2 * workers),
        finalize(() => void pool.close()),
      )
      : read$.pipe(
        mapFrames('check-size', (f: Read): Read => {
          const sr = bicubic ? bicubicUpscale(f.sr, scale) : f.sr;
          if (sr.width !== f.hq.width || sr.height !== f.hq.height) {
            const what = bicubic ? `bicubic x${scale} of the LQ image` : 'SR image';
            throw new DataError(`${what} is ${sr.width}x${sr.height} but the HR image is ${f.hq.width}x${f.hq.height}`);
          }
          return { ...f, sr };
        }),
        measure<Read>(opts),
      );
    const measured$ = scored$.pipe(
      map((item): EvaluateEvent => {
        if (isFrameError(item)) {
          const e = toError(item);
          errors.push(e);
          return { kind: 'error', error: e };
        }
        const result: ImageResult = { name: item.id, srPath: item.path, hrPath: item.hrPath, ...item.metrics };
        images.push(result);
        return { kind: 'image', result };
      }),
    );
    return concat(
      of<EvaluateEvent>({ kind: 'start', total: frames.length, unpaired: pairing.unpaired.length }),
      from(errors.slice()).pipe(map((error): EvaluateEvent => ({ kind: 'error', error }))),
      measured$,
      defer(() => of<EvaluateEvent>({ kind: 'summary', summary: summarise(images, errors, metrics) })),
    );
  });
}

/** The metric options alone (plain data for the workers). */
function measureOpts(o: EvaluateOptions): MeasureOptions {
  const out: { -readonly [K in keyof MeasureOptions]: MeasureOptions[K] } = {};
  if (o.metrics) out.metrics = o.metrics;
  if (o.psnr) out.psnr = o.psnr;
  if (o.ssim) out.ssim = o.ssim;
  if (o.niqe) out.niqe = o.niqe;
  return out;
}

async function readImage(path: string): Promise<RgbImage> {
  try {
    return await readImageFile(path);
  } catch (err) {
    if (err instanceof DataError) throw new DataError(`${path}: ${err.message}`);
    throw err;
  }
}

function idOf(path: string): string {
  return path.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
}

function toError(e: FrameError): EvaluateError {
  const base = { name: e.id, stage: e.stage, message: e.message };
  return e.path === undefined ? base : { ...base, path: e.path };
}

/** Means over finite values; images sorted by name. */
export function summarise(images: readonly ImageResult[], errors: readonly EvaluateError[], metrics: readonly MetricName[]): EvaluateSummary {
  const sorted = [...images].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const mean: Record<string, number> = {};
  for (const m of metrics) {
    const vals = sorted.map((r) => r[m]).filter((v): v is number => v !== undefined && Number.isFinite(v));
    mean[m] = vals.length === 0 ? NaN : vals.reduce((s, v) => s + v, 0) / vals.length;
  }
  return { n: sorted.length, mean: mean as ImageMetrics, images: sorted, errors: [...errors], metrics };
}
