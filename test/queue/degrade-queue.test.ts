import { join } from 'node:path';
import { Queue } from 'bullmq';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { defaultDegradationConfig } from '../../src/degradation/config.js';
import { parseQueueUrl } from '../../src/queue/connection.js';
import { type DegradeJobData, TADSR_VERSION, degradeConfigHash } from '../../src/queue/degrade-jobs.js';
import { type QueueDegradeEvent, enqueueDegrade } from '../../src/queue/degrade-producer.js';
import { type QueueWorkerEvent, refusal, startQueueWorker } from '../../src/queue/queue-worker.js';
import { CORRUPT, makeHqFolder, newOutDir } from '../graphs/degrade-fixtures.js';
import { HAVE_REDIS, NO_REDIS_REASON, redisForSuite } from '../helpers/redis-server.js';
import { listFiles, referenceRun, sameFolders } from './queue-fixtures.js';

if (!HAVE_REDIS) console.warn(NO_REDIS_REASON);

const cleanup: string[] = [];
const redis = redisForSuite(cleanup);

function summaryOf(events: QueueDegradeEvent[]): Extract<QueueDegradeEvent, { type: 'summary' }> {
  const s = events.find((e) => e.type === 'summary');
  if (!s || s.type !== 'summary') throw new Error('no summary');
  return s;
}

describe('which degrade jobs a worker refuses', () => {
  const config = defaultDegradationConfig();
  const hash = degradeConfigHash(config, 6);
  const job = (over: Partial<DegradeJobData> = {}): DegradeJobData => ({
    kind: 'degrade',
    tadsr: TADSR_VERSION,
    configHash: hash,
    task: { id: 'a', path: '/in/a.png', outDir: '/out', seed: 1, pngCompression: 6 },
    ...over,
  });
  it('runs a job whose config matches; refuses another version, a missing or altered config, another pinned config', () => {
    expect(refusal(job(), config, undefined)).toBeNull();
    expect(refusal(job(), config, hash)).toBeNull();
    expect(refusal(job({ tadsr: '0.0.0-other' }), config, undefined)).toMatch(/made by tadsr 0\.0\.0-other and this worker is tadsr/);
    expect(refusal(job(), null, undefined)).toMatch(new RegExp(`config ${hash} is not on the queue`));
    expect(refusal(job(), { ...config, jpeg_range: [40, 95] }, undefined)).toMatch(/the job's config hashes to [0-9a-f]{16}, not the/);
    expect(refusal(job({ task: { ...job().task, pngCompression: 9 } }), config, undefined)).toMatch(/hashes to/);
    expect(refusal(job(), config, 'ffffffffffffffff')).toMatch(/runs config ffffffffffffffff only and the job asks for config/);
  });
});

describe.skipIf(!HAVE_REDIS)('degrade on a BullMQ queue (real redis-server)', () => {
  it('makes the same bytes as one process; enqueuing twice adds nothing; bad images fail with their reason', async () => {
    const inDir = await makeHqFolder(6, [90, 80]);
    const refOut = newOutDir();
    const qOut = newOutDir();
    cleanup.push(inDir, refOut, qOut);
    await referenceRun(inDir, refOut, 3, 64);

    const base = { queue: redis.url, queueName: 'same-bytes', inDir, outDir: qOut, seed: 3, size: 64 };
    const first = await lastValueFrom(enqueueDegrade(base));
    expect(first).toMatchObject({ type: 'enqueued', total: 11, added: 11, existing: 0, skipped: 0 });
    const again = await lastValueFrom(enqueueDegrade(base));
    expect(again).toMatchObject({ type: 'enqueued', added: 0, existing: 11 });
    const q = new Queue('same-bytes', { connection: parseQueueUrl(redis.url) });
    expect(await q.getJobCounts('waiting')).toMatchObject({ waiting: 11 });
    // the config is stored once on the queue; a job names it by hash and stays small
    const [job] = await q.getWaiting(0, 0);
    expect(JSON.stringify(job!.data).length).toBeLessThan(600);

    const worker = startQueueWorker({ queue: redis.url, queueName: 'same-bytes', concurrency: 2 });
    const seen: QueueWorkerEvent[] = [];
    worker.events.subscribe((e) => seen.push(e));
    const events = await lastValueFrom(enqueueDegrade({ ...base, wait: true, pollMs: 200 }).pipe(toArray()));
    await worker.close();
    const s = summaryOf(events);
    expect(s.written).toBe(6);
    expect(s.manifestLines).toBe(6);
    expect(s.failed.map((f) => f.path.split('/').pop()).sort()).toEqual([...CORRUPT].sort());
    for (const f of s.failed) expect(f.message.length).toBeGreaterThan(5);
    expect(seen.filter((e) => e.type === 'completed')).toHaveLength(6);
    expect(await q.getJobCounts('completed', 'failed', 'waiting', 'active')).toMatchObject({ completed: 6, failed: 5, waiting: 0, active: 0 });
    await q.close();

    const cmp = sameFolders(refOut, qOut);
    expect(cmp.differ).toEqual([]);
    expect(cmp.files).toContain('manifest.jsonl');
    expect(cmp.files.filter((f) => f.startsWith('lq/'))).toHaveLength(6);
  });

  it('a worker pinned to another config refuses the job with the reason and writes nothing', async () => {
    const inDir = await makeHqFolder(2, [90, 80], false);
    const out = newOutDir();
    cleanup.push(inDir, out);
    const other = degradeConfigHash({ ...defaultDegradationConfig(), gt_size: 32 });
    const worker = startQueueWorker({ queue: redis.url, queueName: 'mismatch', configHash: other });
    const events = await lastValueFrom(
      enqueueDegrade({ queue: redis.url, queueName: 'mismatch', inDir, outDir: out, seed: 1, size: 64, wait: true, pollMs: 200 }).pipe(
        toArray(),
      ),
    );
    await worker.close();
    const s = summaryOf(events);
    expect(s.written).toBe(0);
    expect(s.failed).toHaveLength(2);
    for (const f of s.failed) expect(f.message).toMatch(new RegExp(`refused: this worker runs config ${other} only and the job asks for config [0-9a-f]{16}`));
    expect(listFiles(out).filter((f) => !['degrade-run.json', 'manifest.jsonl'].includes(f))).toEqual([]);
  });
});
