/**
 * A fixed set of worker threads running `degrade-worker` tasks (a {@link WorkerPool}). `run(task)` resolves with
 * the task's result on whichever worker has the fewest tasks queued; the caller bounds how many are in flight.
 */
import { WorkerPool, workerEntry } from '../workers/worker-pool.js';
import type { PairResult, PairTask } from './degrade-task.js';

export class DegradePool extends WorkerPool<PairTask, PairResult> {
  constructor(size: number) {
    super({ entry: workerEntry(import.meta.url, 'degrade-worker'), size, name: 'degrade' });
  }
}
