/**
 * `startQueueWorker(...)` — take jobs off a Redis queue and run each through the same code as the local command:
 * a degrade job through `tadsr degrade`'s per-image {@link runPairTask} in a {@link DegradePool} worker thread, an
 * upscale job through `upscale(...)` with the worker's model (loaded once, at the first such job) — so the bytes
 * are the same whichever machine runs a job. Start and stop it from code; `events` tells what it does.
 *
 * - **Crash-safe.** Outputs are written to temporary names and renamed (the fragment last). A worker that dies
 *   mid-job (kill -9, a lost machine) stops renewing its lock; after `lockMs` another worker's stalled-job check
 *   puts the job back and it runs again, first removing the dead worker's temporary files for that image (for an
 *   upscale job, the output's own temporary file; an output already renamed into place is rewritten, same bytes).
 * - **Refuses what it would get wrong.** A job made by another tadsr version, or whose config hash does not match
 *   its config (or the config this worker was pinned to with `configHash`), or an upscale job for another model
 *   hash than the worker's model, fails at once with the reason instead of writing mismatched outputs. A bad image fails at once with the decoder's reason; other errors
 *   (a full disk) are retried as the job's `attempts` say.
 *
 * ```ts
 * const w = startQueueWorker({ queue: 'redis://127.0.0.1:6379', concurrency: 2 });
 * w.events.subscribe((e) => e.type === 'failed' && console.error(e.path, e.message));
 * // ... later
 * await w.close();
 * ```
 */
import { basename } from 'node:path';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Observable, Subject, lastValueFrom, share, toArray } from 'rxjs';
import { type DegradationConfig, parseDegradationConfig } from '../degradation/config.js';
import { DegradePool } from '../graphs/degrade-pool.js';
import type { Upscaler } from '../graphs/upscaler.js';
import { DEFAULT_QUEUE_NAME, parseQueueUrl } from './connection.js';
import {
  DEGRADE_JOB,
  type DegradeJobData,
  type DegradeJobResult,
  TADSR_VERSION,
  configKey,
  degradeConfigHash,
  sweepTempFiles,
} from './degrade-jobs.js';
import { UPSCALE_JOB, type UpscaleJobData, type UpscaleJobResult, modelHash, sweepUpscaleTemp } from './upscale-jobs.js';

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
  /**
   * The model directory for upscale jobs (default: the package's `models/default`), loaded at the first one;
   * upscale jobs for another model hash are refused. Upscale jobs run one at a time (one model in memory).
   */
  readonly model?: string;
}

type AnyJobData = DegradeJobData | UpscaleJobData;
type AnyJobResult = DegradeJobResult | UpscaleJobResult;

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

/**
 * Why this worker must not run `data` with `config` (the config stored on the queue under the job's hash, null
 * when there is none), or null when it may.
 */
export function refusal(data: DegradeJobData, config: DegradationConfig | null, pinnedHash: string | undefined): string | null {
  if (data.kind !== DEGRADE_JOB) return `refused: unknown job kind "${String(data.kind)}"`;
  if (data.tadsr !== TADSR_VERSION) {
    return `refused: the job was made by tadsr ${data.tadsr} and this worker is tadsr ${TADSR_VERSION}; outputs could differ`;
  }
  if (config === null) return `refused: config ${data.configHash} is not on the queue (removed?); run the producer again`;
  const own = degradeConfigHash(config, data.task.pngCompression ?? 6);
  if (own !== data.configHash) return `refused: the job's config hashes to ${own}, not the ${data.configHash} it claims`;
  if (pinnedHash !== undefined && pinnedHash !== data.configHash) {
    return `refused: this worker runs config ${pinnedHash} only and the job asks for config ${data.configHash}`;
  }
  return null;
}

/** Why a worker holding the model `own` (hash) must not run the upscale job `data`, or null when it may. */
export function upscaleRefusal(data: UpscaleJobData, own: { hash: string; dir: string }): string | null {
  if (data.tadsr !== TADSR_VERSION) {
    return `refused: the job was made by tadsr ${data.tadsr} and this worker is tadsr ${TADSR_VERSION}; outputs could differ`;
  }
  if (data.modelHash !== own.hash) {
    return `refused: this worker holds model ${own.hash} (${own.dir}) and the job asks for model ${data.modelHash}; start a worker with --model DIR of that model`;
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
  const configs = new Map<string, Promise<DegradationConfig | null>>();
  const configOf = (hash: string): Promise<DegradationConfig | null> => {
    let c = configs.get(hash);
    if (!c) {
      c = (async () => {
        const text = await (await worker.client).get(worker.toKey(configKey(hash)));
        return text === null ? null : parseDegradationConfig(JSON.parse(text));
      })();
      c.catch(() => configs.delete(hash)); // a Redis hiccup: ask again next time
      configs.set(hash, c);
    }
    return c;
  };
  const runDegrade = async (job: Job<AnyJobData, AnyJobResult>, data: DegradeJobData): Promise<DegradeJobResult> => {
    const config = data.kind === DEGRADE_JOB && data.tadsr === TADSR_VERSION ? await configOf(data.configHash) : null;
    const why = refusal(data, config, opts.configHash);
    if (why) throw new UnrecoverableError(why);
    const task = { ...data.task, config: config as DegradationConfig };
    subject.next({ type: 'active', jobId: job.id ?? '', id: task.id });
    // a second start (a retry, or a job taken back from a dead worker): drop what the last try left half-written
    if (job.attemptsStarted > 1 || job.stalledCounter > 0) sweepTempFiles(task.outDir, task.id);
    const r = await pool.run(task);
    if (!r.ok) throw new UnrecoverableError(r.message);
    return { id: r.id, ms: r.ms };
  };

  // ---- upscale jobs: one model, loaded at the first job, jobs one at a time ----
  let model: Promise<{ up: Upscaler; hash: string; dir: string; upscale: typeof import('../graphs/infer.js').upscale }> | null = null;
  let modelInfo: Promise<{ hash: string; dir: string }> | null = null;
  let upscaleChain: Promise<unknown> = Promise.resolve();
  const loadModel = (): NonNullable<typeof model> =>
    (model ??= (async () => {
      const infer = await import('../graphs/infer.js');
      const dir = opts.model ?? infer.defaultModelDir();
      const { hash } = await (modelInfo ??= modelHash(dir).then((h) => ({ hash: h, dir })));
      return { up: await infer.Upscaler.load(dir), hash, dir, upscale: infer.upscale };
    })());
  const runUpscale = async (job: Job<AnyJobData, AnyJobResult>, data: UpscaleJobData): Promise<UpscaleJobResult> => {
    modelInfo ??= (async () => {
      const dir = opts.model ?? (await import('../graphs/infer.js')).defaultModelDir();
      return { hash: await modelHash(dir), dir };
    })();
    const why = upscaleRefusal(data, await modelInfo);
    if (why) throw new UnrecoverableError(why);
    const mine = upscaleChain.then(async () => {
      subject.next({ type: 'active', jobId: job.id ?? '', id: basename(data.path) });
      const m = await loadModel();
      // a second start (a retry, or a job taken back from a dead worker): drop the dead try's temporary file; the
      // output itself may already be whole (killed after the rename): it is rewritten with the same bytes
      const again = job.attemptsStarted > 1 || job.stalledCounter > 0;
      if (again) sweepUpscaleTemp(data.out);
      const events = await lastValueFrom(
        m.upscale([data.path], data.out, { ...data.options, upscaler: m.up, ...(again ? { overwrite: true } : {}) }).pipe(toArray()),
      );
      const file = events.find((e) => e.type === 'file');
      if (file?.type === 'file') return { out: file.out, width: file.width, height: file.height, ms: file.ms };
      const error = events.find((e) => e.type === 'error');
      throw new UnrecoverableError(error?.type === 'error' ? error.message : `no output for ${data.path}`);
    });
    upscaleChain = mine.catch(() => undefined);
    return mine;
  };

  const processor = async (job: Job<AnyJobData, AnyJobResult>): Promise<AnyJobResult> => {
    const data = job.data;
    if (data.kind === DEGRADE_JOB) return runDegrade(job, data);
    if (data.kind === UPSCALE_JOB) return runUpscale(job, data);
    throw new UnrecoverableError(`refused: unknown job kind "${String((data as { kind?: unknown }).kind)}"`);
  };
  const worker = new Worker<AnyJobData, AnyJobResult>(opts.queueName ?? DEFAULT_QUEUE_NAME, processor, {
    connection,
    concurrency,
    lockDuration: opts.lockMs ?? 30_000,
    stalledInterval: opts.stalledCheckMs ?? 30_000,
    autorun: true,
  });
  worker.on('completed', (job, result) => {
    const id = job.data.kind === UPSCALE_JOB ? basename(job.data.path) : (result as DegradeJobResult).id;
    subject.next({ type: 'completed', jobId: job.id ?? '', id, ms: result.ms });
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    subject.next({
      type: 'failed',
      jobId: job.id ?? '',
      id: job.data.kind === UPSCALE_JOB ? basename(job.data.path) : (job.data.task?.id ?? ''),
      path: job.data.kind === UPSCALE_JOB ? job.data.path : (job.data.task?.path ?? ''),
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
          if (model) await (await model.catch(() => null))?.up.dispose();
          subject.complete();
        }
      })();
      return closing;
    },
  };
}
