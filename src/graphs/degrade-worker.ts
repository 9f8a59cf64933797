/**
 * Worker-thread entry of `degradeDataset`: receives `{ job, task }` messages, runs {@link runPairTask},
 * answers `{ job, result }` or `{ job, crash }` (an unexpected error: the graph stops with it).
 * libvips runs single-threaded here; parallelism comes from the worker count.
 */
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import { type PairTask, runPairTask } from './degrade-task.js';

sharp.concurrency(1);
sharp.cache(false);

if (!parentPort) throw new Error('degrade-worker must run in a worker thread');
const port = parentPort;
port.on('message', (msg: { job: number; task: PairTask }) => {
  runPairTask(msg.task).then(
    (result) => port.postMessage({ job: msg.job, result }),
    (err: unknown) =>
      port.postMessage({ job: msg.job, crash: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) }),
  );
});
