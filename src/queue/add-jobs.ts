/**
 * Put jobs with deterministic ids on a queue, adding only those not there yet: a job already waiting, running,
 * finished or failed is left as it is (a failed one is retried when asked), and a finished job whose output is
 * gone (the caller only passes jobs whose output is missing) is replaced, so that it runs again.
 */
import type { Queue } from 'bullmq';

const CHUNK = 500;

export interface NewJob<D> {
  readonly jobId: string;
  readonly name: string;
  readonly data: D;
}

export interface AddCounts {
  /** Jobs added by this call. */
  readonly added: number;
  /** Jobs that were already on the queue (waiting, running or failed). */
  readonly existing: number;
  /** Failed jobs put back on the queue. */
  readonly retried: number;
}

export async function addMissingJobs<D>(
  queue: Queue,
  jobs: readonly NewJob<D>[],
  opts: { readonly attempts: number; readonly retryFailed: boolean },
): Promise<AddCounts> {
  const toAdd: NewJob<D>[] = [];
  let existing = 0;
  let retried = 0;
  for (let i = 0; i < jobs.length; i += CHUNK) {
    const part = jobs.slice(i, i + CHUNK);
    const states = await Promise.all(part.map((j) => queue.getJobState(j.jobId)));
    for (let k = 0; k < part.length; k++) {
      const j = part[k]!;
      const state = states[k]!;
      if (state === 'unknown') {
        toAdd.push(j);
      } else if (state === 'completed') {
        // finished once, but the output is not on disk (deleted since): run it again
        await queue.remove(j.jobId);
        toAdd.push(j);
      } else if (state === 'failed' && opts.retryFailed) {
        await (await queue.getJob(j.jobId))?.retry('failed');
        retried++;
      } else {
        existing++;
      }
    }
  }
  for (let i = 0; i < toAdd.length; i += CHUNK) {
    await queue.addBulk(
      toAdd.slice(i, i + CHUNK).map((j) => ({
        name: j.name,
        data: j.data,
        opts: { jobId: j.jobId, attempts: opts.attempts, backoff: { type: 'exponential', delay: 1000 } },
      })),
    );
  }
  return { added: toAdd.length, existing, retried };
}
