/**
 * `queueStatus(url)` — what a tadsr queue holds: job counts by state, connected workers, the recent completion
 * rate and the time left at that rate, and every failed job with its reason.
 *
 * ```ts
 * const s = await queueStatus({ queue: 'redis://127.0.0.1:6379' });
 * console.log(`${s.counts.completed} done, ${s.counts.failed} failed, ETA ${s.etaSeconds ?? '?'} s`);
 * ```
 */
import { Queue } from 'bullmq';
import { DEFAULT_QUEUE_NAME, checkReachable, parseQueueUrl } from './connection.js';
import type { DegradeJobData } from './degrade-jobs.js';
import type { UpscaleJobData } from './upscale-jobs.js';

export interface QueueStatusOptions {
  readonly queue: string;
  readonly queueName?: string;
  /** The rate is measured over this many most recent completions (default 200). */
  readonly rateWindow?: number;
  /** List at most this many failures (default 1000). */
  readonly maxFailures?: number;
}

export interface QueueFailure {
  readonly jobId: string;
  readonly kind: string;
  /** The image the job was for. */
  readonly path: string;
  readonly reason: string;
  readonly attempts: number;
}

export interface QueueStatus {
  readonly name: string;
  readonly counts: {
    readonly waiting: number;
    readonly active: number;
    readonly delayed: number;
    readonly completed: number;
    readonly failed: number;
  };
  /** Worker connections Redis reports for this queue. */
  readonly workers: number;
  /** Jobs completed per second over the recent window; null with fewer than two completions. */
  readonly ratePerSecond: number | null;
  /** Seconds until waiting + active + delayed jobs are done at that rate; null without a rate. */
  readonly etaSeconds: number | null;
  readonly failures: readonly QueueFailure[];
}

export async function queueStatus(opts: QueueStatusOptions): Promise<QueueStatus> {
  const connection = parseQueueUrl(opts.queue);
  await checkReachable(connection);
  const name = opts.queueName ?? DEFAULT_QUEUE_NAME;
  const queue = new Queue<DegradeJobData | UpscaleJobData>(name, { connection });
  queue.on('error', () => undefined);
  try {
    const c = await queue.getJobCounts('waiting', 'prioritized', 'paused', 'active', 'delayed', 'completed', 'failed');
    const counts = {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0),
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
    };
    const workers = (await queue.getWorkers()).length;
    const window = opts.rateWindow ?? 200;
    const recent = (await queue.getCompleted(0, window - 1))
      .map((j) => j.finishedOn)
      .filter((t): t is number => typeof t === 'number');
    let ratePerSecond: number | null = null;
    if (recent.length >= 2) {
      const span = (Math.max(...recent) - Math.min(...recent)) / 1000;
      ratePerSecond = span > 0 ? (recent.length - 1) / span : null;
    }
    const left = counts.waiting + counts.active + counts.delayed;
    const etaSeconds = left === 0 ? 0 : ratePerSecond ? left / ratePerSecond : null;
    const failures = (await queue.getFailed(0, (opts.maxFailures ?? 1000) - 1)).map((j) => ({
      jobId: j.id ?? '',
      kind: j.name,
      path: (j.data?.kind === 'upscale' ? j.data.path : j.data?.task?.path) ?? '',
      reason: j.failedReason ?? '',
      attempts: j.attemptsMade,
    }));
    failures.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { name, counts, workers, ratePerSecond, etaSeconds, failures };
  } finally {
    await queue.close();
  }
}
