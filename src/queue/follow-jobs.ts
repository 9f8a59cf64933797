/**
 * Follow a known set of jobs on a BullMQ queue to their final state (completed or failed), by the queue's events
 * plus a full re-read every `pollMs` (so a missed event, or a Redis restart, costs at most one period). A job that
 * is no longer on the queue at all counts as failed, with that reason, rather than being waited for forever.
 */
import { type Queue, QueueEvents } from 'bullmq';
import type { RedisOptions } from 'ioredis';

export type JobOutcome<R> =
  | { readonly jobId: string; readonly ok: true; readonly result: R | undefined }
  | { readonly jobId: string; readonly ok: false; readonly message: string };

/** Lets the caller stop the follow from outside (an unsubscribe). */
export interface FollowControl {
  stopped: boolean;
  wake: () => void;
}

const CHUNK = 500;

export async function followJobs<R>(
  queue: Queue,
  connection: RedisOptions,
  ids: readonly string[],
  control: FollowControl,
  onOutcome: (o: JobOutcome<R>) => void,
  pollMs = 2000,
): Promise<void> {
  const pending = new Set(ids);
  const dirty = new Set<string>();
  const events = new QueueEvents(queue.name, { connection, prefix: queue.opts.prefix ?? 'bull' });
  events.on('error', () => undefined); // reconnects by itself
  let poke: () => void = () => undefined;
  const onEvent = ({ jobId }: { jobId: string }): void => {
    if (!pending.has(jobId)) return;
    dirty.add(jobId);
    poke();
  };
  events.on('completed', onEvent);
  events.on('failed', onEvent);
  try {
    await events.waitUntilReady();
    let lastFull = -Infinity;
    while (pending.size && !control.stopped) {
      const full = performance.now() - lastFull >= pollMs;
      const batch = full ? [...pending] : [...dirty];
      if (full) lastFull = performance.now();
      dirty.clear();
      for (let i = 0; i < batch.length && !control.stopped; i += CHUNK) {
        const part = batch.slice(i, i + CHUNK);
        const states = await Promise.all(part.map((id) => queue.getJobState(id)));
        for (let k = 0; k < part.length; k++) {
          const id = part[k]!;
          const state = states[k]!;
          if (!pending.has(id)) continue;
          if (state === 'completed') {
            const job = await queue.getJob(id);
            pending.delete(id);
            onOutcome({ jobId: id, ok: true, result: job?.returnvalue as R | undefined });
          } else if (state === 'failed') {
            const job = await queue.getJob(id);
            pending.delete(id);
            onOutcome({ jobId: id, ok: false, message: job?.failedReason || 'failed (no reason recorded)' });
          } else if (state === 'unknown') {
            pending.delete(id);
            onOutcome({
              jobId: id,
              ok: false,
              message: `job ${id} is no longer on the queue (was it removed, or Redis emptied?); run the producer again`,
            });
          }
        }
      }
      if (!pending.size || control.stopped) break;
      await new Promise<void>((res) => {
        const timer = setTimeout(done, dirty.size ? 0 : Math.max(1, pollMs - (performance.now() - lastFull)));
        function done(): void {
          clearTimeout(timer);
          poke = () => undefined;
          control.wake = () => undefined;
          res();
        }
        poke = done;
        control.wake = done;
      });
    }
  } finally {
    await events.close();
  }
}
