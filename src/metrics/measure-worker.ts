/**
 * Worker-thread entry of {@link MeasurePool}: receives `{ job, task }`, answers `{ job, result }` or
 * `{ job, crash }` (an unexpected error — a bug — that fails the pool).
 */
import { parentPort } from 'node:worker_threads';
import { type MeasureTask, runMeasureTask } from './measure-task.js';

if (!parentPort) throw new Error('measure-worker must run in a worker thread');
const port = parentPort;
port.on('message', (msg: { job: number; task: MeasureTask }) => {
  try {
    port.postMessage({ job: msg.job, result: runMeasureTask(msg.task) });
  } catch (err) {
    port.postMessage({ job: msg.job, crash: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
  }
});
