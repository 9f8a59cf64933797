/**
 * Worker-thread entry of `degradeDataset`: receives `{ job, task }` messages, runs {@link runPairTask},
 * answers `{ job, result }` or `{ job, crash }` (an unexpected error: the graph stops with it).
 * libvips runs single-threaded here; parallelism comes from the worker count.
 */
import sharp from 'sharp';
import { serveTasks } from '../workers/serve-tasks.js';
import { runPairTask } from './degrade-task.js';

sharp.concurrency(1);
sharp.cache(false);

serveTasks('degrade-worker', runPairTask);
