/**
 * `startQueueWorker(...)` — take degrade jobs off a Redis queue and run each through the same per-image code as
 * `tadsr degrade` ({@link runPairTask} in a {@link DegradePool} worker thread), so the bytes are the same whichever
 * machine runs a job. Start and stop it from code; `events` tells what it does.
 *
 * - **Crash-safe.** Outputs are written to temporary names and renamed (the fragment last). A worker that dies
 *   mid-job (kill -9, a lost machine) stops renewing its lock; after `lockMs` another worker's stalled-job check
 *   puts the job back and it runs again, first removing the dead worker's temporary files for that image.
 * - **Refuses what it would get wrong.** A job made by another tadsr version, or whose config hash does not match
 *   its config (or the config this worker was pinned to with `configHash`), fails at once with the reason
 *   instead of writing mismatched outputs. A bad image fails at once with the decoder's reason; other errors
 *   (a full disk) are retried as the job's `attempts` say.
 *
 * ```ts
 * const w = startQueueWorker({ queue: 'redis://127.0.0.1:6379', concurrency: 2 });
 * w.events.subscribe((e) => e.type === 'failed' && console.error(e.path, e.message));
 * // ... later
 * await w.close();
 * ```
 */
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Observable, Subject, share } from 'rxjs';
import { DegradePool } from '../graphs/degrade-pool.js';
import { DEFAULT_QUEUE_NAME, parseQueueUrl } from './connection.js';
import {
  DEGRADE_JOB,
  type DegradeJobData,
  type DegradeJobResult,
  TADSR_VERSION,
  degradeConfigHash,
  sweepTempFiles,
} from './degrade-jobs.js';

export interface QueueWorkerOptions {
  /** Redis URL, `redis://HOST:PORT[/DB]`. */
  readonly queue: string;
  /** BullMQ queue name, default `tadsr`. */
  readonly queueName?: string;
  /** Jobs run at once, each in its own worker thread (default 1). */
  readonly concurrency?: number;
  /** Only run degrade jobs with this config hash ({@link degradeConfigHash}); refuse others. */
  readonly configHash?: string;
  /**
   * How long a job stays claimed by a worker that stopped answering before another may take it (ms, default
   * 30000). Jobs taking longer than this are fine: a live worker renews its lock every `lockMs / 2`.
   */
  readonly lockMs?: number;
  /** How often this worker looks for jobs whose worker died (ms, default 30000). */
  readonly stalledCheckMs?: number;
}

export type QueueWorkerEvent =
  | { readonly type: 'active'; readonly jobId: string; readonly id: string }
  | { readonly type: 'completed'; readonly jobId: string; readonly id: string; readonly ms: number }
  | { readonly type: 'failed'; readonly jobId: string; readonly id: string; readonly path: string; readonly message: string; readonly final: boolean }
  | { readonly type: 'stalled'; readonly jobId: string }
  | { readonly type: 'drained' }
  | { readonly type: 'error'; readonly message: string };

export interface QueueWorker {
  /** What the worker does, as it happens (hot; subscribe before jobs arrive to see them all). */
  readonly events: Observable<QueueWorkerEvent>;
  /** Resolves once connected and taking jobs. */
  readonly ready: Promise<void>;
  /** Stop taking jobs, let running ones finish (or abandon them with `force`), and free the threads. */
  close(force?: boolean): Promise<void>;
}

/** Why this worker must not run `data`, or null when it may. */
export function refusal(data: DegradeJobData, pinnedHash: string | undefined): string | null {
  if (data.kind !== DEGRADE_JOB) return `refused: unknown job kind "${String(data.kind)}"`;
  if (data.tadsr !== TADSR_VERSION) {
    return `refused: the job was made by tadsr ${data.tadsr} and this worker is tadsr ${TADSR_VERSION}; outputs could differ`;
  }
  const own = degradeConfigHash(data.task.config, data.task.pngCompression ?? 6);
  if (own !== data.configHash) return `refused: the job's config hashes to ${own}, not the ${data.configHash} it claims`;
  if (pinnedHash !== undefined && pinnedHash !== data.configHash) {
    return `refused: this worker runs config ${pinnedHash} only and the job asks for config ${data.configHash}`;
  }
  return null;
}

export function startQueueWorker(opts: QueueWorkerOptions): QueueWorker {
  const concurrency = opts.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new RangeError(`concurrency must be an integer from 1 to 256, got ${concurrency}`);
  }
  const connection = parseQueueUrl(opts.queue);
  const subject = new Subject<QueueWorkerEvent>();
  const pool = new DegradePool(concurrency);
  const processor = async (job: Job<DegradeJobData, DegradeJobResult>): Promise<DegradeJobResult> => {
    const why = refusal(job.data, opts.configHash);
    if (why) throw new UnrecoverableError(why);
    const task = job.data.task;
    subject.next({ type: 'active', jobId: job.id ?? '', id: task.id });
    // a second start (a retry, or a job taken back from a dead worker): drop what the last try left half-written
    if (job.attemptsStarted > 1 || job.stalledCounter > 0) sweepTempFiles(task.outDir, task.id);
    const r = await pool.run(task);
    if (!r.ok) throw new UnrecoverableError(r.message);
    return { id: r.id, ms: r.ms };
  };
  const worker = new Worker<DegradeJobData, DegradeJobResult>(opts.queueName ?? DEFAULT_QUEUE_NAME, processor, {
    connection,
    concurrency,
    lockDuration: opts.lockMs ?? 30_000,
    stalledInterval: opts.stalledCheckMs ?? 30_000,
    autorun: true,
  });
  worker.on('completed', (job, result) => {
    subject.next({ type: 'completed', jobId: job.id ?? '', id: result.id, ms: result.ms });
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    subject.next({
      type: 'failed',
      jobId: job.id ?? '',
      id: job.data.task?.id ?? '',
      path: job.data.task?.path ?? '',
      message: err.message,
      final,
    });
  });
  worker.on('stalled', (jobId) => subject.next({ type: 'stalled', jobId }));
  worker.on('drained', () => subject.next({ type: 'drained' }));
  worker.on('error', (err) => subject.next({ type: 'error', message: err.message }));
  let closing: Promise<void> | null = null;
  return {
    events: subject.pipe(share()),
    ready: worker.waitUntilReady().then(() => undefined),
    close(force = false) {
      closing ??= (async () => {
        try {
          await worker.close(force);
        } finally {
          await pool.close();
          subject.complete();
        }
      })();
      return closing;
    },
  };
}
