/**
 * Worker threads that compute image metrics, so that evaluation uses every core: `measure(task)` resolves with
 * the scores on the least-loaded worker. Images are transferred, not copied (the caller's buffers are detached).
 *
 * The worker runs compiled JS (`dist/metrics/measure-worker.js`) next to a compiled caller, or the TypeScript
 * source through the `tsx` loader when the caller itself is TypeScript (vitest, `npx tsx`).
 *
 * ```ts
 * const pool = new MeasurePool(2);
 * const r = await pool.measure({ sr, hr, opts: {} }); // { metrics } | { dataError }
 * await pool.close();
 * ```
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ImageData, MeasureTask, MeasureTaskResult } from './measure-task.js';

interface Pending {
  resolve(r: MeasureTaskResult): void;
  reject(e: Error): void;
  worker: number;
}

function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // Node 20 does not apply --import loaders to workers: register tsx inside the worker, then import.
    const tsxDir = dirname(createRequire(here).resolve('tsx/package.json'));
    const tsxApi = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
    const entry = new URL('./measure-worker.ts', here).href;
    const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(new URL('./measure-worker.js', here));
}

/** The image with data in a buffer of its own (safe to transfer); copies a view into a larger buffer. */
function owned(img: ImageData): ImageData {
  const d = img.data;
  if (d.byteOffset === 0 && d.byteLength === d.buffer.byteLength) return img;
  return { ...img, data: d.slice() };
}

export class MeasurePool {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextJob = 0;
  private failed: Error | null = null;
  private closed = false;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`worker count must be a positive integer, got ${size}`);
    for (let i = 0; i < size; i++) {
      const w = startWorker();
      w.on('message', (msg: { job: number; result?: MeasureTaskResult; crash?: string }) => {
        const p = this.pending.get(msg.job);
        if (!p) return;
        this.pending.delete(msg.job);
        this.load[p.worker]--;
        if (msg.result) p.resolve(msg.result);
        else p.reject(new Error(`measure worker failed: ${msg.crash ?? 'unknown error'}`));
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (code !== 0 && !this.closed) this.fail(new Error(`measure worker exited with code ${code}`));
      });
      w.unref();
      this.workers.push(w);
      this.load.push(0);
    }
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const [job, p] of this.pending) {
      this.pending.delete(job);
      p.reject(err);
    }
  }

  measure(task: MeasureTask): Promise<MeasureTaskResult> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('measure pool is closed'));
    let best = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.load[i] < this.load[best]) best = i;
    const job = this.nextJob++;
    this.load[best]++;
    const own = { ...task, sr: owned(task.sr), ...(task.hr ? { hr: owned(task.hr) } : {}) };
    const transfer = [own.sr.data.buffer, ...(own.hr ? [own.hr.data.buffer] : [])] as ArrayBuffer[];
    return new Promise<MeasureTaskResult>((resolve, reject) => {
      this.pending.set(job, { resolve, reject, worker: best });
      this.workers[best].ref();
      this.workers[best].postMessage({ job, task: own }, transfer);
    }).finally(() => {
      if (this.load[best] === 0) this.workers[best]?.unref();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
