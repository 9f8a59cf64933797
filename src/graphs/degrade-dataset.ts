/**
 * `degradeDataset(...)` — stream a folder of HQ images into Real-ESRGAN training pairs:
 *
 * ```
 * OUT/hq/NAME.png        the gt_size² crop (16-bit if the source was)
 * OUT/lq/NAME.png        its degradation, (gt_size/scale)²
 * OUT/manifest.jsonl     one line per pair: { id, source, hq, lq, degradation: {every sampled parameter} }
 * OUT/manifest.d/        per-pair fragments manifest.jsonl is rebuilt from
 * OUT/degrade-run.json   the seed and full config the folder was made with
 * ```
 *
 * Returns a cold Observable of {@link DegradeEvent}s (`start`, one `pair` or `failure` per file, `summary`).
 * The work runs in `workers` worker threads; at most `2 × workers` files are in flight (read, decoded or being
 * written) at any time, whatever the input size.
 *
 * **Resumable, kill -9 safe.** Every file is written to a temporary name and renamed; a pair's manifest fragment
 * is written after both PNGs, and a pair counts as done only when all three exist — so on a rerun done pairs are
 * skipped, half-done ones are redone (overwriting atomically), stale temporary files are removed, and
 * `manifest.jsonl` (rebuilt from the fragments, sorted by name, itself renamed into place) never holds a duplicate
 * or a broken line. A rerun with another seed or config into the same folder is refused.
 *
 * **Reproducible.** Each pair depends only on `(seed, NAME)` and the file's pixels: any worker count, any order.
 *
 * Bad files (empty, truncated, not an image, over `maxPixels`, two inputs with the same NAME) become `failure`
 * events and are listed in the summary; every good file is still written.
 *
 * ```ts
 * degradeDataset({ inDir: 'photos', outDir: 'pairs', seed: 1, workers: 2 }).subscribe((e) => {
 *   if (e.type === 'summary') console.log(`${e.written} written, ${e.failed.length} failed`);
 * });
 * ```
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Observable, defer, from, mergeMap } from 'rxjs';
import { type DegradationConfig, loadDegradationConfig, parseDegradationConfig } from '../degradation/config.js';
import { writeFileAtomic } from '../io/encode-image.js';
import { acquireRunLock } from '../io/run-lock.js';
import { idFromPath, resolveImagePaths } from '../io/list-images.js';
import { DegradePool } from './degrade-pool.js';
import { type PairTask, pairPaths } from './degrade-task.js';

export interface DegradeDatasetOptions {
  /** Folder of HQ images (non-recursive), or a list of files/folders. */
  readonly inDir: string | readonly string[];
  readonly outDir: string;
  /** Run seed (non-negative integer), default 0. */
  readonly seed?: number;
  /** Crop size (overrides the config's `gt_size`), default 512. */
  readonly size?: number;
  /** Scale (overrides the config's `scale`), default 4. */
  readonly scale?: number;
  /** Worker threads, default the machine's available parallelism. */
  readonly workers?: number;
  /** A (partial) config object, or the path of a JSON config file. */
  readonly config?: Partial<DegradationConfig> | string;
  /** Refuse images with more pixels than this (default 100 MP). */
  readonly maxPixels?: number;
  /** zlib level of the written PNGs (0–9), default 6. */
  readonly pngCompression?: number;
}

export interface DegradeFailure {
  readonly id: string;
  readonly path: string;
  readonly message: string;
}

export type DegradeEvent =
  | { readonly type: 'start'; readonly total: number; readonly todo: number; readonly skipped: number; readonly workers: number }
  | { readonly type: 'pair'; readonly id: string; readonly ms: number }
  | ({ readonly type: 'failure' } & DegradeFailure)
  | {
      readonly type: 'summary';
      readonly total: number;
      readonly written: number;
      readonly skipped: number;
      readonly failed: readonly DegradeFailure[];
      /** Lines in the rebuilt manifest.jsonl (pairs present in OUT_DIR). */
      readonly manifestLines: number;
      readonly elapsedMs: number;
    };

/** A usage problem (bad option, folder in use, settings mismatch): one clear message. */
export class DegradeUsageError extends Error {
  override name = 'DegradeUsageError';
}

/** A run's resolved settings and input files (shared with the queue producer, `queue/degrade-producer.ts`). */
export interface Prepared {
  readonly config: DegradationConfig;
  readonly seed: number;
  readonly workers: number;
  readonly files: { id: string; path: string }[];
  readonly duplicates: DegradeFailure[];
}

export function prepare(opts: DegradeDatasetOptions): Prepared {
  const seed = opts.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new DegradeUsageError(`seed must be a non-negative integer, got ${seed}`);
  const workers = opts.workers ?? Math.max(1, availableParallelism());
  if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
    throw new DegradeUsageError(`workers must be an integer from 1 to 256, got ${workers}`);
  }
  const base = typeof opts.config === 'string' ? loadDegradationConfig(opts.config) : parseDegradationConfig(opts.config ?? {});
  const config = parseDegradationConfig({
    ...base,
    ...(opts.size === undefined ? {} : { gt_size: opts.size }),
    ...(opts.scale === undefined ? {} : { scale: opts.scale }),
  });
  let paths: string[];
  try {
    paths = resolveImagePaths(opts.inDir);
  } catch (err) {
    throw new DegradeUsageError((err as Error).message);
  }
  const seen = new Map<string, string>();
  const files: { id: string; path: string }[] = [];
  const duplicates: DegradeFailure[] = [];
  for (const path of paths) {
    const id = idFromPath(path);
    const first = seen.get(id);
    if (first !== undefined) {
      duplicates.push({ id, path, message: `another input has the same name "${id}" (${first}); outputs are named by it` });
      continue;
    }
    seen.set(id, path);
    files.push({ id, path });
  }
  return { config, seed, workers, files, duplicates };
}

/** Take OUT/.lock (`acquireRunLock`: refused while a live process holds it) and check/record the run settings. */
function claimOutDir(outDir: string, settings: { seed: number; config: DegradationConfig }): () => void {
  const release = acquireRunLock(outDir, 'tadsr degrade');
  try {
    recordRunSettings(outDir, settings);
  } catch (err) {
    release();
    throw err;
  }
  for (const sub of ['hq', 'lq', 'manifest.d', '.']) {
    const dir = join(outDir, sub);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) if (name.includes('.tmp-')) unlinkSync(join(dir, name));
  }
  return release;
}

/**
 * Write OUT/degrade-run.json (the seed and full config), or check that the one there is the same: a folder holds
 * pairs of one run only. Throws {@link DegradeUsageError} on a mismatch.
 */
export function recordRunSettings(outDir: string, settings: { seed: number; config: DegradationConfig }): void {
  mkdirSync(outDir, { recursive: true });
  const runFile = join(outDir, 'degrade-run.json');
  const text = `${JSON.stringify(settings, null, 2)}\n`;
  if (existsSync(runFile)) {
    const previous = readFileSync(runFile, 'utf8');
    if (previous !== text) {
      throw new DegradeUsageError(
        `${outDir} holds pairs made with another seed or config (see ${runFile}); use a new output folder to change them`,
      );
    }
  } else {
    const tmp = `${runFile}.tmp-${process.pid}`;
    writeFileSync(tmp, text);
    // rename is atomic: the settings file is whole or absent
    renameSync(tmp, runFile);
  }
}

/** Whether the pair `id` is whole in `outDir` (both PNGs and its manifest fragment exist). */
export function isDone(outDir: string, id: string): boolean {
  const p = pairPaths(outDir, id);
  return existsSync(p.fragment) && existsSync(p.hq) && existsSync(p.lq);
}

/** Rebuild OUT/manifest.jsonl from the fragments of whole pairs, sorted by id; returns the line count. */
export async function rebuildManifest(outDir: string): Promise<number> {
  const dir = join(outDir, 'manifest.d');
  const ids = existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => n.endsWith('.json') && !n.includes('.tmp-'))
        .map((n) => n.slice(0, -'.json'.length))
        .sort()
    : [];
  const lines: string[] = [];
  for (const id of ids) {
    if (!isDone(outDir, id)) continue;
    const text = readFileSync(pairPaths(outDir, id).fragment, 'utf8').trim();
    if (text) lines.push(text);
  }
  await writeFileAtomic(join(outDir, 'manifest.jsonl'), lines.length ? `${lines.join('\n')}\n` : '');
  return lines.length;
}

export function degradeDataset(opts: DegradeDatasetOptions): Observable<DegradeEvent> {
  return defer(() => {
    const t0 = performance.now();
    const prep = prepare(opts);
    const release = claimOutDir(opts.outDir, { seed: prep.seed, config: prep.config });
    const todo = prep.files.filter((f) => !isDone(opts.outDir, f.id));
    const skipped = prep.files.length - todo.length;
    const total = prep.files.length + prep.duplicates.length;
    return new Observable<DegradeEvent>((sub) => {
      const failed: DegradeFailure[] = [...prep.duplicates];
      let written = 0;
      const pool = todo.length ? new DegradePool(Math.min(prep.workers, todo.length)) : null;
      sub.next({ type: 'start', total, todo: todo.length, skipped, workers: pool ? Math.min(prep.workers, todo.length) : 0 });
      for (const d of prep.duplicates) sub.next({ type: 'failure', ...d });
      const work = from(todo).pipe(
        mergeMap(async (f): Promise<DegradeEvent> => {
          const task: PairTask = {
            id: f.id,
            path: f.path,
            outDir: opts.outDir,
            seed: prep.seed,
            config: prep.config,
            ...(opts.maxPixels === undefined ? {} : { maxPixels: opts.maxPixels }),
            ...(opts.pngCompression === undefined ? {} : { pngCompression: opts.pngCompression }),
          };
          const r = await (pool as DegradePool).run(task);
          return r.ok ? { type: 'pair', id: r.id, ms: r.ms } : { type: 'failure', id: f.id, path: f.path, message: r.message };
        }, 2 * prep.workers),
      );
      const inner = work.subscribe({
        next: (e) => {
          if (e.type === 'pair') written++;
          if (e.type === 'failure') failed.push({ id: e.id, path: e.path, message: e.message });
          sub.next(e);
        },
        error: (err) => {
          void pool?.close();
          release();
          sub.error(err);
        },
        complete: () => {
          void (async () => {
            try {
              await pool?.close();
              const manifestLines = await rebuildManifest(opts.outDir);
              failed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
              release();
              sub.next({
                type: 'summary',
                total,
                written,
                skipped,
                failed,
                manifestLines,
                elapsedMs: performance.now() - t0,
              });
              sub.complete();
            } catch (err) {
              release();
              sub.error(err);
            }
          })();
        },
      });
      return () => {
        inner.unsubscribe();
        void pool?.close();
        release();
      };
    });
  });
}

/** Whether a path is an existing directory (for argument checks). */
export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
