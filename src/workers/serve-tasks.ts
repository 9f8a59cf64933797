/**
 * The worker-thread side of {@link WorkerPool}: receive `{ job, task }`, answer `{ job, result }`, or
 * `{ job, crash }` for an unexpected error (a bug), which fails the pool.
 *
 * ```ts
 * // my-worker.ts
 * serveTasks('my-worker', (task: MyTask) => runMyTask(task));
 * ```
 */
import { parentPort } from 'node:worker_threads';

/** Serve tasks on this worker thread with `handle` (sync or async); `name` names the module in the error off-thread. */
export function serveTasks<T, R>(name: string, handle: (task: T) => R | Promise<R>): void {
  if (!parentPort) throw new Error(`${name} must run in a worker thread`);
  const port = parentPort;
  port.on('message', (msg: { job: number; task: T }) => {
    let result: R | Promise<R>;
    try {
      result = handle(msg.task);
    } catch (err) {
      port.postMessage({ job: msg.job, crash: crashText(err) });
      return;
    }
    Promise.resolve(result).then(
      (r) => port.postMessage({ job: msg.job, result: r }),
      (err: unknown) => port.postMessage({ job: msg.job, crash: crashText(err) }),
    );
  });
}

function crashText(err: unknown): string {
  return err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
}
