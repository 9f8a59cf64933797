/**
 * Worker threads that compute image metrics, so that evaluation uses every core: `measure(task)` resolves with
 * the scores on the least-loaded worker. Images are transferred, not copied (the caller's buffers are detached).
 *
 * A {@link WorkerPool} on `measure-worker`: compiled JS next to a compiled caller, the TypeScript source under tsx.
 *
 * ```ts
 * const pool = new MeasurePool(2);
 * const r = await pool.measure({ sr, hr, opts: {} }); // { metrics } | { dataError }
 * await pool.close();
 * ```
 */
import { WorkerPool, workerEntry } from '../workers/worker-pool.js';
import type { ImageData, MeasureTask, MeasureTaskResult } from './measure-task.js';

/** The image with data in a buffer of its own (safe to transfer); copies a view into a larger buffer. */
function owned(img: ImageData): ImageData {
  const d = img.data;
  if (d.byteOffset === 0 && d.byteLength === d.buffer.byteLength) return img;
  return { ...img, data: d.slice() };
}

export class MeasurePool {
  private readonly pool: WorkerPool<MeasureTask, MeasureTaskResult>;

  constructor(readonly size: number) {
    this.pool = new WorkerPool({ entry: workerEntry(import.meta.url, 'measure-worker'), size, name: 'measure', unrefWhenIdle: true });
  }

  /** Score `task` on the least-loaded worker (its image buffers are transferred). */
  measure(task: MeasureTask): Promise<MeasureTaskResult> {
    const own = { ...task, sr: owned(task.sr), ...(task.hr ? { hr: owned(task.hr) } : {}) };
    const transfer = [own.sr.data.buffer, ...(own.hr ? [own.hr.data.buffer] : [])] as ArrayBuffer[];
    return this.pool.run(own, transfer);
  }

  /** Stop every worker. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
