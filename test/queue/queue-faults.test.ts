import { join } from 'node:path';
import { Queue } from 'bullmq';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { parseQueueUrl } from '../../src/queue/connection.js';
import { type QueueDegradeEvent, enqueueDegrade } from '../../src/queue/degrade-producer.js';
import { startQueueWorker } from '../../src/queue/queue-worker.js';
import { makeHqFolder, newOutDir } from '../graphs/degrade-fixtures.js';
import { HAVE_REDIS, NO_REDIS_REASON, redisForSuite } from '../helpers/redis-server.js';
import { listFiles, referenceRun, sameFolders, until } from './queue-fixtures.js';
import { spawnCli } from './spawn-cli.js';

if (!HAVE_REDIS) console.warn(NO_REDIS_REASON);

const cleanup: string[] = [];
const redis = redisForSuite(cleanup);

function summaryOf(events: readonly QueueDegradeEvent[]): Extract<QueueDegradeEvent, { type: 'summary' }> {
  const s = events.find((e) => e.type === 'summary');
  if (!s || s.type !== 'summary') throw new Error('no summary');
  return s;
}

describe.skipIf(!HAVE_REDIS)('queue faults against a real redis-server', () => {
  it('kill -9 of a worker mid-job: another worker takes the stalled job back; no duplicate or half-written file', async () => {
    const inDir = await makeHqFolder(4, [400, 340], false);
    const ref = newOutDir();
    const out = newOutDir();
    cleanup.push(inDir, ref, out);
    await referenceRun(inDir, ref, 4, 256);
    const name = 'kill9';
    const enq = await lastValueFrom(enqueueDegrade({ queue: redis.url, queueName: name, inDir, outDir: out, seed: 4, size: 256 }));
    expect(enq).toMatchObject({ type: 'enqueued', added: 4 });

    const doomed = spawnCli(['worker', '--queue', redis.url, '--queue-name', name, '--lock-ms', '1000']);
    const q = new Queue(name, { connection: parseQueueUrl(redis.url) });
    await until(async () => (await q.getActiveCount()) > 0, 60_000, 'the doomed worker to take a job');
    doomed.child.kill('SIGKILL');
    expect((await doomed.done).signal).toBe('SIGKILL');
    const orphans = await q.getActive();
    expect(orphans).toHaveLength(1); // held by a dead worker: its lock will run out
    const orphanId = orphans[0]!.id as string;

    const rescuer = startQueueWorker({ queue: redis.url, queueName: name, lockMs: 1000, stalledCheckMs: 250 });
    const stalled: string[] = [];
    rescuer.events.subscribe((e) => e.type === 'stalled' && stalled.push(e.jobId));
    const events = await lastValueFrom(
      enqueueDegrade({ queue: redis.url, queueName: name, inDir, outDir: out, seed: 4, size: 256, wait: true, pollMs: 200 }).pipe(toArray()),
    );
    await rescuer.close();
    const s = summaryOf(events);
    expect(s.failed).toEqual([]);
    expect(s.manifestLines).toBe(4);
    expect(stalled).toContain(orphanId);
    const orphan = await q.getJob(orphanId);
    expect(orphan?.finishedOn).toBeGreaterThan(0);
    expect(orphan?.stalledCounter).toBe(1);
    expect(await q.getJobCounts('completed', 'failed')).toMatchObject({ completed: 4, failed: 0 });
    await q.close();
    expect(listFiles(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(sameFolders(ref, out).differ).toEqual([]);
  });

  it('Redis killed and restarted mid-run (AOF): the run finishes, nothing lost, no duplicate job', async () => {
    const inDir = await makeHqFolder(6, [300, 260], false);
    const ref = newOutDir();
    const out = newOutDir();
    cleanup.push(inDir, ref, out);
    await referenceRun(inDir, ref, 6, 256);
    const name = 'restart';
    const worker = startQueueWorker({ queue: redis.url, queueName: name, lockMs: 5000, stalledCheckMs: 2500 });
    const completed: string[] = [];
    worker.events.subscribe((e) => e.type === 'completed' && completed.push(e.id));
    await worker.ready;
    const events: QueueDegradeEvent[] = [];
    const finished = lastValueFrom(
      enqueueDegrade({ queue: redis.url, queueName: name, inDir, outDir: out, seed: 6, size: 256, wait: true, pollMs: 200 }).pipe(toArray()),
    );
    let restarted = false;
    const pairsBefore = (): number => completed.length;
    await until(() => pairsBefore() >= 2, 60_000, 'two pairs before the crash');
    await redis.kill();
    const doneAtCrash = pairsBefore();
    await new Promise((r) => setTimeout(r, 300));
    await redis.restart();
    restarted = true;
    events.push(...(await finished));
    await worker.close();
    expect(restarted).toBe(true);
    expect(doneAtCrash).toBeLessThan(6); // the crash really was mid-run
    const s = summaryOf(events);
    expect(s.failed).toEqual([]);
    expect(s.written).toBe(6);
    expect(new Set(completed).size).toBe(6);
    const q = new Queue(name, { connection: parseQueueUrl(redis.url) });
    expect(await q.getJobCounts('completed', 'failed', 'waiting', 'active')).toMatchObject({ completed: 6, failed: 0, waiting: 0, active: 0 });
    await q.close();
    expect(sameFolders(ref, out).differ).toEqual([]);
  });

  it('a producer re-run after stopping half-way adds only the missing jobs', async () => {
    const inDir = await makeHqFolder(5, [90, 80], false);
    const out = newOutDir();
    cleanup.push(inDir, out);
    const name = 'rerun';
    const files = listFiles(inDir).map((f) => join(inDir, f));
    const base = { queue: redis.url, queueName: name, outDir: out, seed: 9, size: 64 };
    // the first producer got through two files before it died
    expect(await lastValueFrom(enqueueDegrade({ ...base, inDir: files.slice(0, 2) }))).toMatchObject({ added: 2, existing: 0 });
    expect(await lastValueFrom(enqueueDegrade({ ...base, inDir }))).toMatchObject({ added: 3, existing: 2 });
    expect(await lastValueFrom(enqueueDegrade({ ...base, inDir }))).toMatchObject({ added: 0, existing: 5 });
    const q = new Queue(name, { connection: parseQueueUrl(redis.url) });
    expect(await q.getJobCounts('waiting')).toMatchObject({ waiting: 5 });
    const worker = startQueueWorker({ queue: redis.url, queueName: name });
    const s = summaryOf(await lastValueFrom(enqueueDegrade({ ...base, inDir, wait: true, pollMs: 200 }).pipe(toArray())));
    await worker.close();
    expect(s.written).toBe(5);
    // once whole on disk, a rerun enqueues nothing at all
    expect(await lastValueFrom(enqueueDegrade({ ...base, inDir }))).toMatchObject({ added: 0, existing: 0, skipped: 5 });
    expect(await q.getJobCounts('completed')).toMatchObject({ completed: 5 });
    await q.close();
  });
});
