/**
 * The one producer behind {@link enqueueDegrade} and {@link enqueueUpscale}: a cold Observable that plans jobs
 * locally, checks Redis answers, adds the jobs that are missing ({@link addMissingJobs}), and — with `wait` —
 * follows them to their end ({@link followJobs}) and finishes the run. Unsubscribing stops the follow and closes
 * the queue. The two job kinds differ only in the hooks: what a job is, what the events look like, and what
 * happens once every job is done (the degrade manifest).
 *
 * ```ts
 * produceJobs(opts, { plan: () => planOutputs(...), jobs: async (plan, queue) => ({ jobs, onAdded, onOutcome, finish }) });
 * ```
 */
import { Queue } from 'bullmq';
import { Observable, type Subscriber } from 'rxjs';
import { type AddCounts, type NewJob, addMissingJobs } from './add-jobs.js';
import { DEFAULT_QUEUE_NAME, checkReachable, parseQueueUrl } from './connection.js';
import { type FollowControl, type JobOutcome, followJobs } from './follow-jobs.js';

/** The queue options both producers take. */
export interface ProduceOptions {
  /** Redis URL, `redis://HOST:PORT[/DB]`. */
  readonly queue: string;
  /** BullMQ queue name, default `tadsr`. */
  readonly queueName?: string;
  /** Follow the jobs to the end (default false: return once enqueued). */
  readonly wait?: boolean;
  /** Put failed jobs of an earlier run back on the queue (default false: report them as failures). */
  readonly retryFailed?: boolean;
  /** Tries per job for errors that are not bad data (a full disk, a worker crash), default 3. */
  readonly attempts?: number;
  /** While waiting, how often every pending job's state is re-read, besides the queue's events (ms, default 2000). */
  readonly pollMs?: number;
}

/** What one run puts on the queue, and what it does with the answers. */
export interface JobBatch<D, R> {
  readonly jobs: readonly NewJob<D>[];
  /** Once the jobs are on the queue (the `enqueued` event; with `wait`, also the events before the first outcome). */
  readonly onAdded: (counts: AddCounts, wait: boolean) => void;
  /** Each job's final state, as it comes (wait only). */
  readonly onOutcome: (o: JobOutcome<R>) => void;
  /** After every job has ended and the queue is closed (wait only). */
  readonly finish: () => Promise<void> | void;
}

export interface ProducerSteps<E, P, D, R> {
  /** Checks and planning that need no Redis (a usage error here is reported before any connection). */
  readonly plan: () => Promise<P> | P;
  /** With Redis reachable and the queue open: the jobs (may write to the queue first, e.g. a shared config). */
  readonly jobs: (plan: P, queue: Queue, emit: (e: E) => void) => Promise<JobBatch<D, R>>;
}

export function produceJobs<E, P, D, R>(opts: ProduceOptions, steps: ProducerSteps<E, P, D, R>): Observable<E> {
  return new Observable<E>((sub) => {
    const control: FollowControl = { stopped: false, wake: () => undefined };
    const live: Queue[] = [];
    run(opts, steps, sub, live, control).then(
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

async function run<E, P, D, R>(
  opts: ProduceOptions,
  steps: ProducerSteps<E, P, D, R>,
  sub: Subscriber<E>,
  live: Queue[],
  control: FollowControl,
): Promise<void> {
  const attempts = opts.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be a positive integer, got ${attempts}`);
  const plan = await steps.plan();
  const connection = parseQueueUrl(opts.queue);
  await checkReachable(connection);
  const queue = new Queue<D, R>(opts.queueName ?? DEFAULT_QUEUE_NAME, { connection });
  queue.on('error', () => undefined); // connection drops are retried; a restarted Redis is waited for
  live.push(queue as Queue);
  const emit = (e: E): void => sub.next(e);
  const batch = await steps.jobs(plan, queue as Queue, emit);
  const counts = await addMissingJobs(queue as Queue, batch.jobs, { attempts, retryFailed: opts.retryFailed === true });
  const wait = opts.wait === true;
  batch.onAdded(counts, wait);
  if (!wait) {
    await queue.close();
    return;
  }
  await followJobs<R>(
    queue as Queue,
    connection,
    batch.jobs.map((j) => j.jobId),
    control,
    batch.onOutcome,
    opts.pollMs,
  );
  if (control.stopped) return;
  await queue.close();
  await batch.finish();
}
