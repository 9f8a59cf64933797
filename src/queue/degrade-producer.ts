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
import { Queue } from 'bullmq';
import { Observable, type Subscriber } from 'rxjs';
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
import { addMissingJobs } from './add-jobs.js';
import { DEFAULT_QUEUE_NAME, checkReachable, parseQueueUrl } from './connection.js';
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
import { type FollowControl, followJobs } from './follow-jobs.js';

export interface EnqueueDegradeOptions extends Omit<DegradeDatasetOptions, 'workers'> {
  /** Redis URL, `redis://HOST:PORT[/DB]`. */
  readonly queue: string;
  /** BullMQ queue name, default `tadsr`. */
  readonly queueName?: string;
  /** Follow the jobs to the end and assemble the manifest (default false: return once enqueued). */
  readonly wait?: boolean;
  /** Put failed jobs of an earlier run back on the queue (default false: report them as failures). */
  readonly retryFailed?: boolean;
  /** Tries per job for errors that are not bad data (a full disk, a worker crash), default 3. */
  readonly attempts?: number;
  /** While waiting, how often every pending job's state is re-read, besides the queue's events (ms, default 2000). */
  readonly pollMs?: number;
}

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
  return new Observable<QueueDegradeEvent>((sub) => {
    const control: FollowControl = { stopped: false, wake: () => undefined };
    const live: Queue[] = [];
    run(opts, sub, live, control).then(
      () => sub.complete(),
      (err: unknown) => sub.error(err),
    );
    return () => {
      control.stopped = true;
      control.wake();
      for (const q of live.splice(0)) void q.close().catch(() => undefined);
    };
  });
}

async function run(opts: EnqueueDegradeOptions, sub: Subscriber<QueueDegradeEvent>, live: Queue[], control: FollowControl): Promise<void> {
  const t0 = performance.now();
  const outDir = resolve(opts.outDir);
  const inDir = typeof opts.inDir === 'string' ? resolve(opts.inDir) : opts.inDir.map((p) => resolve(p));
  const prep = prepare({ ...opts, inDir, outDir, workers: 1 });
  const attempts = opts.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be a positive integer, got ${attempts}`);
  const connection = parseQueueUrl(opts.queue);
  await checkReachable(connection);
  recordRunSettings(outDir, { seed: prep.seed, config: prep.config });

  const name = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const queue = new Queue<DegradeJobData, DegradeJobResult>(name, { connection });
  queue.on('error', () => undefined); // connection drops are retried; a restarted Redis is waited for
  live.push(queue);
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
  const counts = await addMissingJobs(
    queue,
    todo.map((t) => ({
      jobId: t.jobId,
      name: DEGRADE_JOB,
      data: { kind: DEGRADE_JOB, tadsr: TADSR_VERSION, configHash, task: t.task },
    })),
    { attempts, retryFailed: opts.retryFailed === true },
  );
  const total = prep.files.length + prep.duplicates.length;
  sub.next({ type: 'enqueued', total, ...counts, skipped, configHash });
  for (const d of prep.duplicates) sub.next({ type: 'failure', ...d });
  if (!opts.wait) {
    await queue.close();
    return;
  }

  sub.next({ type: 'start', total, todo: todo.length, skipped, workers: 0 });
  const byJob = new Map(todo.map((t) => [t.jobId, t.task]));
  const failed: DegradeFailure[] = [...prep.duplicates];
  let written = 0;
  await followJobs<DegradeJobResult>(
    queue,
    connection,
    todo.map((t) => t.jobId),
    control,
    (o) => {
      const task = byJob.get(o.jobId)!;
      if (o.ok) {
        written++;
        sub.next({ type: 'pair', id: task.id, ms: o.result?.ms ?? 0 });
      } else {
        const f = { id: task.id, path: task.path, message: o.message };
        failed.push(f);
        sub.next({ type: 'failure', ...f });
      }
    },
    opts.pollMs,
  );
  if (control.stopped) return;
  await queue.close();
  sweepTempFiles(outDir);
  const manifestLines = await rebuildManifest(outDir);
  failed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  sub.next({ type: 'summary', total, written, skipped, failed, manifestLines, elapsedMs: performance.now() - t0 });
}
