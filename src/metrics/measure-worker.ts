/**
 * Worker-thread entry of {@link MeasurePool}: receives `{ job, task }`, answers `{ job, result }` or
 * `{ job, crash }` (an unexpected error — a bug — that fails the pool).
 */
import { serveTasks } from '../workers/serve-tasks.js';
import { runMeasureTask } from './measure-task.js';

serveTasks('measure-worker', runMeasureTask);
