/**
 * `enqueueUpscale(inputs, out, opts)` — `upscale(...)` spread over machines: one BullMQ job per image, run by
 * {@link startQueueWorker} processes holding the same model (they refuse jobs for another model hash). Inputs and
 * outputs are paired exactly as `tadsr upscale` pairs them (folder in → folder out, same names) and made absolute.
 *
 * Events: `enqueued`, then with `wait: true` the `file` / `error` / `done` events of `upscale`, as jobs finish.
 * Rerunning adds only jobs that are not on the queue and whose output file does not exist yet.
 *
 * ```ts
 * enqueueUpscale(['/shared/lq'], '/shared/sr', { queue: 'redis://10.0.0.5:6379', tS: 300, wait: true }).subscribe(console.log);
 * ```
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Queue } from 'bullmq';
import { Observable, type Subscriber } from 'rxjs';
import { type UpscaleEvent, UsageError, defaultModelDir, planOutputs } from '../graphs/infer.js';
import { checkTs } from '../schedule/timesteps.js';
import { checkTileOptions } from '../tiling/plan.js';
import { addMissingJobs } from './add-jobs.js';
import { DEFAULT_QUEUE_NAME, checkReachable, parseQueueUrl } from './connection.js';
import { TADSR_VERSION } from './degrade-jobs.js';
import { type FollowControl, followJobs } from './follow-jobs.js';
import { UPSCALE_JOB, type UpscaleJobData, type UpscaleJobOptions, type UpscaleJobResult, modelHash, upscaleJobId } from './upscale-jobs.js';

export interface EnqueueUpscaleOptions extends UpscaleJobOptions {
  readonly queue: string;
  readonly queueName?: string;
  /** The model the workers must hold (default: the package's `models/default`); only its hash travels. */
  readonly model?: string;
  readonly wait?: boolean;
  readonly retryFailed?: boolean;
  readonly attempts?: number;
  readonly pollMs?: number;
}

export type QueueUpscaleEvent =
  | {
      readonly type: 'enqueued';
      readonly files: number;
      readonly added: number;
      readonly existing: number;
      readonly retried: number;
      /** Outputs already on disk: no job. */
      readonly skipped: number;
      readonly modelHash: string;
    }
  | Extract<UpscaleEvent, { type: 'file' | 'error' | 'done' }>;

export function enqueueUpscale(inputs: readonly string[], out: string, opts: EnqueueUpscaleOptions): Observable<QueueUpscaleEvent> {
  return new Observable<QueueUpscaleEvent>((sub) => {
    const control: FollowControl = { stopped: false, wake: () => undefined };
    const live: Queue[] = [];
    run(inputs, out, opts, sub, live, control).then(
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

async function run(
  inputs: readonly string[],
  out: string,
  opts: EnqueueUpscaleOptions,
  sub: Subscriber<QueueUpscaleEvent>,
  live: Queue[],
  control: FollowControl,
): Promise<void> {
  try {
    if (opts.tS !== undefined) checkTs(opts.tS);
    if (opts.tile !== undefined) checkTileOptions({ tile: opts.tile, overlap: opts.overlap ?? Math.min(32, Math.floor(opts.tile / 4)) });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const plan = planOutputs(inputs.map((p) => resolve(p)), resolve(out));
  const hash = await modelHash(opts.model ?? defaultModelDir());
  const connection = parseQueueUrl(opts.queue);
  await checkReachable(connection);
  const queue = new Queue<UpscaleJobData, UpscaleJobResult>(opts.queueName ?? DEFAULT_QUEUE_NAME, { connection });
  queue.on('error', () => undefined);
  live.push(queue);
  const options: UpscaleJobOptions = {
    ...(opts.tS !== undefined ? { tS: opts.tS } : {}),
    ...(opts.tile !== undefined ? { tile: opts.tile } : {}),
    ...(opts.overlap !== undefined ? { overlap: opts.overlap } : {}),
    ...(opts.colorFix !== undefined ? { colorFix: opts.colorFix } : {}),
    ...(opts.formula !== undefined ? { formula: opts.formula } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
  };
  const todo = plan
    .filter((p) => !existsSync(p.out))
    .map((p) => {
      const data: UpscaleJobData = { kind: UPSCALE_JOB, tadsr: TADSR_VERSION, modelHash: hash, path: p.path, out: p.out, options };
      return { jobId: upscaleJobId(data), name: UPSCALE_JOB, data };
    });
  const counts = await addMissingJobs(queue, todo, { attempts: opts.attempts ?? 3, retryFailed: opts.retryFailed === true });
  sub.next({ type: 'enqueued', files: plan.length, ...counts, skipped: plan.length - todo.length, modelHash: hash });
  if (!opts.wait) {
    await queue.close();
    return;
  }
  const byJob = new Map(todo.map((t) => [t.jobId, t.data]));
  let ok = plan.length - todo.length;
  let failed = 0;
  await followJobs<UpscaleJobResult>(
    queue,
    connection,
    todo.map((t) => t.jobId),
    control,
    (o) => {
      const data = byJob.get(o.jobId)!;
      if (o.ok && o.result) {
        ok++;
        sub.next({ type: 'file', path: data.path, out: data.out, width: o.result.width, height: o.result.height, ms: o.result.ms });
      } else {
        failed++;
        sub.next({ type: 'error', path: data.path, message: o.ok ? 'completed without a result' : o.message });
      }
    },
    opts.pollMs,
  );
  if (control.stopped) return;
  await queue.close();
  sub.next({ type: 'done', ok, failed });
}
