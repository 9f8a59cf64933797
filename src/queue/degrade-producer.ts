/**
 * `enqueueDegrade(...)` — `degradeDataset` spread over many machines: one BullMQ job per image on a Redis queue,
 * run by any number of {@link startQueueWorker} processes that see the same input and output paths.
 *
 * Returns a cold Observable of {@link QueueDegradeEvent}s: `enqueued` once the jobs are on the queue, then — with
 * `wait: true` — the same `pair` / `failure` / `summary` events `degradeDataset` emits, as workers finish jobs.
 * Waiting ends by assembling `OUT/manifest.jsonl` from the per-job fragments with the very function the
 * single-process run uses, so the folder ends up byte for byte what `tadsr degrade` writes (input and output
 * folders are made absolute first: workers elsewhere must find them, and the manifest's `source` says so).
 *
 * **Idempotent.** Job ids come from (input path, output folder, seed, config hash): running the producer again —
 * after a crash half-way, or just to wait for the end — adds only what is missing. Pairs already whole on disk
 * are skipped, as in `degradeDataset`. A folder keeps one run's settings (`degrade-run.json`): another seed or
 * config into the same folder is refused.
 *
 * ```ts
 * enqueueDegrade({ queue: 'redis://127.0.0.1:6379', inDir: '/data/photos', outDir: '/data/pairs', seed: 1, wait: true })
 *   .subscribe((e) => e.type === 'summary' && console.log(`${e.written} written, ${e.failed.length} failed`));
 * ```
 */
import { resolve } from 'node:path';
import type { Observable } from 'rxjs';
import {
  type DegradeDatasetOptions,
  type DegradeEvent,
  type DegradeFailure,
  isDone,
  prepare,
  rebuildManifest,
  recordRunSettings,
} from '../graphs/degrade-dataset.js';
import type { PairTask } from '../graphs/degrade-task.js';
import {
  DEGRADE_JOB,
  type DegradeJobData,
  type DegradeJobResult,
  TADSR_VERSION,
  configKey,
  degradeConfigHash,
  degradeJobId,
  sweepTempFiles,
} from './degrade-jobs.js';
import { type ProduceOptions, produceJobs } from './produce-jobs.js';

export interface EnqueueDegradeOptions extends Omit<DegradeDatasetOptions, 'workers'>, ProduceOptions {}

export type QueueDegradeEvent =
  | {
      readonly type: 'enqueued';
      /** Inputs (including refused duplicates). */
      readonly total: number;
      /** Jobs added by this call. */
      readonly added: number;
      /** Jobs that were already on the queue (waiting, running, finished or failed). */
      readonly existing: number;
      /** Failed jobs put back on the queue (`retryFailed`). */
      readonly retried: number;
      /** Pairs already whole on disk: no job. */
      readonly skipped: number;
      readonly configHash: string;
    }
  | DegradeEvent;

export function enqueueDegrade(opts: EnqueueDegradeOptions): Observable<QueueDegradeEvent> {
  type Plan = { t0: number; outDir: string; prep: ReturnType<typeof prepare> };
  return produceJobs<QueueDegradeEvent, Plan, DegradeJobData, DegradeJobResult>(opts, {
    plan: () => {
      const t0 = performance.now();
      const outDir = resolve(opts.outDir);
      const inDir = typeof opts.inDir === 'string' ? resolve(opts.inDir) : opts.inDir.map((p) => resolve(p));
      return { t0, outDir, prep: prepare({ ...opts, inDir, outDir, workers: 1 }) };
    },
    jobs: async ({ t0, outDir, prep }, queue, emit) => {
      recordRunSettings(outDir, { seed: prep.seed, config: prep.config });
      const pngCompression = opts.pngCompression ?? 6;
      const configHash = degradeConfigHash(prep.config, pngCompression);
      const todo: { jobId: string; task: Omit<PairTask, 'config'> }[] = [];
      let skipped = 0;
      for (const f of prep.files) {
        if (isDone(outDir, f.id)) {
          skipped++;
          continue;
        }
        const task: Omit<PairTask, 'config'> = {
          id: f.id,
          path: f.path,
          outDir,
          seed: prep.seed,
          pngCompression,
          ...(opts.maxPixels === undefined ? {} : { maxPixels: opts.maxPixels }),
        };
        todo.push({ jobId: degradeJobId(task, configHash), task });
      }
      // the config once, before any job that names it
      await (await queue.client).set(queue.toKey(configKey(configHash)), JSON.stringify(prep.config));
      const total = prep.files.length + prep.duplicates.length;
      const byJob = new Map(todo.map((t) => [t.jobId, t.task]));
      const failed: DegradeFailure[] = [...prep.duplicates];
      let written = 0;
      return {
        jobs: todo.map((t) => ({
          jobId: t.jobId,
          name: DEGRADE_JOB,
          data: { kind: DEGRADE_JOB, tadsr: TADSR_VERSION, configHash, task: t.task },
        })),
        onAdded: (counts, wait) => {
          emit({ type: 'enqueued', total, ...counts, skipped, configHash });
          for (const d of prep.duplicates) emit({ type: 'failure', ...d });
          if (wait) emit({ type: 'start', total, todo: todo.length, skipped, workers: 0 });
        },
        onOutcome: (o) => {
          const task = byJob.get(o.jobId)!;
          if (o.ok) {
            written++;
            emit({ type: 'pair', id: task.id, ms: o.result?.ms ?? 0 });
          } else {
            const f = { id: task.id, path: task.path, message: o.message };
            failed.push(f);
            emit({ type: 'failure', ...f });
          }
        },
        finish: async () => {
          sweepTempFiles(outDir);
          const manifestLines = await rebuildManifest(outDir);
          failed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
          emit({ type: 'summary', total, written, skipped, failed, manifestLines, elapsedMs: performance.now() - t0 });
        },
      };
    },
  });
}
