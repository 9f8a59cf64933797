/**
 * A fixed set of worker threads, each running one task module: `run(task)` resolves with the task's result on
 * whichever worker has the fewest tasks queued; the caller bounds how many are in flight. A worker that crashes
 * or exits fails every pending and later task with that error. The worker side is {@link serveTasks}.
 *
 * ```ts
 * const pool = new WorkerPool<MyTask, MyResult>({ entry: workerEntry(import.meta.url, 'my-worker'), size: 2, name: 'my' });
 * const r = await pool.run(task);
 * await pool.close();
 * ```
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * The worker module `name` beside the calling module: the compiled `.js` next to a compiled caller, or the
 * TypeScript source when the caller itself runs as TypeScript (vitest, `npx tsx`).
 *
 * @example
 * workerEntry(import.meta.url, 'degrade-worker'); // …/degrade-worker.ts or …/degrade-worker.js
 */
export function workerEntry(callerUrl: string, name: string): URL {
  return new URL(`./${name}${callerUrl.endsWith('.ts') ? '.ts' : '.js'}`, callerUrl);
}

/** Start a worker on `entry`; a `.ts` entry gets a bootstrap that registers the tsx loader, then imports it. */
function startWorker(entry: URL): Worker {
  if (entry.pathname.endsWith('.ts')) {
    // Node 20 does not apply --import loaders to workers: register tsx inside the worker, then import.
    const tsxDir = dirname(createRequire(entry).resolve('tsx/package.json'));
    const tsxApi = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
    const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(entry);
}

export interface WorkerPoolOptions {
  /** The worker module (see {@link workerEntry}); it answers through {@link serveTasks}. */
  readonly entry: URL;
  /** Number of workers (a positive integer). */
  readonly size: number;
  /** Names the pool in errors: `${name} worker failed: …`. */
  readonly name: string;
  /** Let the process exit while no task is in flight (workers are unref'd when idle). Default false. */
  readonly unrefWhenIdle?: boolean;
}

interface Pending<R> {
  resolve(r: R): void;
  reject(e: Error): void;
  worker: number;
}

/** A pool of worker threads running tasks `T` to results `R` (see the file comment). */
export class WorkerPool<T, R> {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly pending = new Map<number, Pending<R>>();
  private nextJob = 0;
  private failed: Error | null = null;
  private closed = false;

  constructor(private readonly opts: WorkerPoolOptions) {
    const { size, name } = opts;
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`worker count must be a positive integer, got ${size}`);
    for (let i = 0; i < size; i++) {
      const w = startWorker(opts.entry);
      w.on('message', (msg: { job: number; result?: R; crash?: string }) => {
        const p = this.pending.get(msg.job);
        if (!p) return;
        this.pending.delete(msg.job);
        this.load[p.worker]!--;
        if (msg.result) p.resolve(msg.result);
        else p.reject(new Error(`${name} worker failed: ${msg.crash ?? 'unknown error'}`));
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (code !== 0 && !this.closed) this.fail(new Error(`${name} worker exited with code ${code}`));
      });
      if (opts.unrefWhenIdle) w.unref();
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

  /** Run `task` on the least-loaded worker; `transfer` lists buffers to move rather than copy. */
  run(task: T, transfer: readonly ArrayBuffer[] = []): Promise<R> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error(`${this.opts.name} pool is closed`));
    let best = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.load[i]! < this.load[best]!) best = i;
    const job = this.nextJob++;
    this.load[best]!++;
    const worker = this.workers[best]!;
    const result = new Promise<R>((resolve, reject) => {
      this.pending.set(job, { resolve, reject, worker: best });
      if (this.opts.unrefWhenIdle) worker.ref();
      worker.postMessage({ job, task }, [...transfer]);
    });
    if (!this.opts.unrefWhenIdle) return result;
    return result.finally(() => {
      if (this.load[best] === 0) worker.unref();
    });
  }

  /** Stop every worker. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
