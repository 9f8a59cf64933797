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
import { type Job, Queue, QueueEvents } from 'bullmq';
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
import { DEFAULT_QUEUE_NAME, checkReachable, parseQueueUrl } from './connection.js';
import {
  DEGRADE_JOB,
  type DegradeJobData,
  type DegradeJobResult,
  TADSR_VERSION,
  degradeConfigHash,
  degradeJobId,
  sweepTempFiles,
} from './degrade-jobs.js';

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

const CHUNK = 500;

async function inChunks<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(...(await Promise.all(items.slice(i, i + CHUNK).map(fn))));
  return out;
}

export function enqueueDegrade(opts: EnqueueDegradeOptions): Observable<QueueDegradeEvent> {
  return new Observable<QueueDegradeEvent>((sub) => {
    const live: { close(): Promise<void> }[] = [];
    let stopped = false;
    let wake: (() => void) | null = null;
    run(opts, sub, live, () => stopped, (w) => (wake = w)).then(
      () => sub.complete(),
      (err: unknown) => sub.error(err),
    );
    return () => {
      stopped = true;
      (wake as (() => void) | null)?.();
      for (const c of live.splice(0)) void c.close().catch(() => undefined);
    };
  });
}

async function run(
  opts: EnqueueDegradeOptions,
  sub: Subscriber<QueueDegradeEvent>,
  live: { close(): Promise<void> }[],
  stopped: () => boolean,
  setWake: (w: () => void) => void,
): Promise<void> {
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

  const todo: { jobId: string; task: PairTask }[] = [];
  let skipped = 0;
  for (const f of prep.files) {
    if (isDone(outDir, f.id)) {
      skipped++;
      continue;
    }
    const task: PairTask = {
      id: f.id,
      path: f.path,
      outDir,
      seed: prep.seed,
      config: prep.config,
      pngCompression,
      ...(opts.maxPixels === undefined ? {} : { maxPixels: opts.maxPixels }),
    };
    todo.push({ jobId: degradeJobId(task, configHash), task });
  }

  const states = await inChunks(todo, (t) => queue.getJobState(t.jobId));
  const toAdd: typeof todo = [];
  let retried = 0;
  let existing = 0;
  for (let i = 0; i < todo.length; i++) {
    const t = todo[i]!;
    const state = states[i]!;
    if (state === 'unknown') {
      toAdd.push(t);
    } else if (state === 'completed') {
      // finished once, but the pair is not on disk (deleted since): run it again
      await queue.remove(t.jobId);
      toAdd.push(t);
    } else if (state === 'failed' && opts.retryFailed) {
      const job = await queue.getJob(t.jobId);
      await job?.retry('failed');
      retried++;
    } else {
      existing++;
    }
  }
  for (let i = 0; i < toAdd.length; i += CHUNK) {
    await queue.addBulk(
      toAdd.slice(i, i + CHUNK).map((t) => ({
        name: DEGRADE_JOB,
        data: { kind: DEGRADE_JOB, tadsr: TADSR_VERSION, configHash, task: t.task },
        opts: { jobId: t.jobId, attempts, backoff: { type: 'exponential', delay: 1000 } },
      })),
    );
  }
  const total = prep.files.length + prep.duplicates.length;
  sub.next({ type: 'enqueued', total, added: toAdd.length, existing, retried, skipped, configHash });
  for (const d of prep.duplicates) sub.next({ type: 'failure', ...d });
  if (!opts.wait) {
    await queue.close();
    return;
  }

  // ---- follow the jobs to their end ----
  sub.next({ type: 'start', total, todo: todo.length, skipped, workers: 0 });
  const pending = new Map(todo.map((t) => [t.jobId, t.task]));
  const dirty = new Set<string>();
  const events = new QueueEvents(name, { connection });
  events.on('error', () => undefined);
  live.push(events);
  let poke: () => void = () => undefined;
  const onEvent = ({ jobId }: { jobId: string }): void => {
    if (!pending.has(jobId)) return;
    dirty.add(jobId);
    poke();
  };
  events.on('completed', onEvent);
  events.on('failed', onEvent);
  await events.waitUntilReady();

  const failed: DegradeFailure[] = [...prep.duplicates];
  let written = 0;
  const pollMs = opts.pollMs ?? 2000;
  let lastFull = -Infinity;
  while (pending.size && !stopped()) {
    const full = performance.now() - lastFull >= pollMs;
    const ids = full ? [...pending.keys()] : [...dirty];
    if (full) lastFull = performance.now();
    dirty.clear();
    const now = await inChunks(ids, async (id) => [id, await queue.getJobState(id)] as const);
    for (const [id, state] of now) {
      const task = pending.get(id);
      if (!task) continue;
      if (state === 'completed') {
        const job = (await queue.getJob(id)) as Job<DegradeJobData, DegradeJobResult> | undefined;
        pending.delete(id);
        written++;
        sub.next({ type: 'pair', id: task.id, ms: job?.returnvalue?.ms ?? 0 });
      } else if (state === 'failed' || state === 'unknown') {
        const job = state === 'failed' ? await queue.getJob(id) : undefined;
        const message =
          state === 'unknown'
            ? `job ${id} is no longer on the queue (was it removed, or Redis emptied?); run the producer again`
            : job?.failedReason || 'failed (no reason recorded)';
        pending.delete(id);
        const f = { id: task.id, path: task.path, message };
        failed.push(f);
        sub.next({ type: 'failure', ...f });
      }
    }
    if (!pending.size || stopped()) break;
    await new Promise<void>((res) => {
      const timer = setTimeout(done, dirty.size ? 0 : Math.max(1, pollMs - (performance.now() - lastFull)));
      function done(): void {
        clearTimeout(timer);
        poke = () => undefined;
        res();
      }
      poke = done;
      setWake(done);
    });
  }
  if (stopped()) return;
  await events.close();
  await queue.close();
  sweepTempFiles(outDir);
  const manifestLines = await rebuildManifest(outDir);
  failed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  sub.next({ type: 'summary', total, written, skipped, failed, manifestLines, elapsedMs: performance.now() - t0 });
}
