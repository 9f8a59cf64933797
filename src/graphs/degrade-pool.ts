/**
 * A fixed set of worker threads running `degrade-worker` tasks. `run(task)` resolves with the task's
 * result on whichever worker has the fewest tasks queued; the caller bounds how many are in flight.
 *
 * The worker runs compiled JS (`dist/graphs/degrade-worker.js`) next to a compiled caller, or the TypeScript
 * source through the `tsx` loader when the caller itself is TypeScript (vitest, `npx tsx`).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PairResult, PairTask } from './degrade-task.js';

interface Pending {
  resolve(r: PairResult): void;
  reject(e: Error): void;
}

/** How to start a worker: the compiled file, or a bootstrap that registers tsx and imports the TS source. */
function startWorker(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // Node 20 does not apply --import loaders to workers: register tsx inside the worker, then import.
    const tsxDir = dirname(createRequire(here).resolve('tsx/package.json'));
    const tsxApi = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href;
    const entry = new URL('./degrade-worker.ts', here).href;
    const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(new URL('./degrade-worker.js', here));
}

export class DegradePool {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly pending = new Map<number, Pending & { worker: number }>();
  private nextJob = 0;
  private failed: Error | null = null;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const w = startWorker();
      w.on('message', (msg: { job: number; result?: PairResult; crash?: string }) => {
        const p = this.pending.get(msg.job);
        if (!p) return;
        this.pending.delete(msg.job);
        this.load[p.worker]--;
        if (msg.result) p.resolve(msg.result);
        else p.reject(new Error(`degrade worker failed: ${msg.crash ?? 'unknown error'}`));
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => {
        if (code !== 0 && !this.closed) this.fail(new Error(`degrade worker exited with code ${code}`));
      });
      this.workers.push(w);
      this.load.push(0);
    }
  }

  private closed = false;

  private fail(err: Error): void {
    this.failed ??= err;
    for (const [job, p] of this.pending) {
      this.pending.delete(job);
      p.reject(err);
    }
  }

  run(task: PairTask): Promise<PairResult> {
    if (this.failed) return Promise.reject(this.failed);
    let best = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.load[i] < this.load[best]) best = i;
    const job = this.nextJob++;
    this.load[best]++;
    return new Promise<PairResult>((resolve, reject) => {
      this.pending.set(job, { resolve, reject, worker: best });
      this.workers[best].postMessage({ job, task });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
