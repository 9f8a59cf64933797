import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { lastValueFrom, toArray } from 'rxjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upscale } from '../../src/graphs/infer.js';
import { initModelDir } from '../../src/graphs/model-dir.js';
import { parseQueueUrl } from '../../src/queue/connection.js';
import { startQueueWorker } from '../../src/queue/queue-worker.js';
import type { UpscaleJobData } from '../../src/queue/upscale-jobs.js';
import { type QueueUpscaleEvent, enqueueUpscale } from '../../src/queue/upscale-producer.js';
import { HAVE_REDIS, NO_REDIS_REASON, type RedisHandle, startRedis } from '../helpers/redis-server.js';
import { listFiles, until } from './queue-fixtures.js';
import { spawnCli } from './spawn-cli.js';

if (!HAVE_REDIS) console.warn(NO_REDIS_REASON);

let redis: RedisHandle;
let root: string;
let model: string;
let inDir: string;
const NAMES = ['a.png', 'b.png', 'c.png'];
beforeAll(async () => {
  if (!HAVE_REDIS) return;
  redis = await startRedis();
  root = mkdtempSync(join(tmpdir(), 'tadsr-upf-'));
  model = join(root, 'model');
  await initModelDir(model, 'tiny', { seed: 5 });
  inDir = join(root, 'in');
  mkdirSync(inDir);
  // big enough (several tiles each) that a job is still running when the worker is killed
  const px = (w: number, h: number, k: number) => Buffer.from(Array.from({ length: w * h * 3 }, (_, i) => (i * 31 + k * 17 + (i % w) * k) % 256));
  for (const [i, name] of NAMES.entries()) {
    await sharp(px(48, 40, i + 1), { raw: { width: 48, height: 40, channels: 3 } }).png().toFile(join(inDir, name));
  }
});
afterAll(async () => {
  await redis?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!HAVE_REDIS)('upscale queue faults against a real redis-server (tiny model)', () => {
  it('kill -9 of a worker mid-upscale: the stalled job is retried by another worker; no half-written output, same bytes', async () => {
    const opts = { tS: 250, tile: 16, overlap: 4, seed: 9 };
    const ref = join(root, 'ref');
    await lastValueFrom(upscale([inDir], ref, { ...opts, model }));
    const out = join(root, 'queued');
    const name = 'up-kill9';
    const base = { ...opts, model, queue: redis.url, queueName: name, pollMs: 200 };
    expect(await lastValueFrom(enqueueUpscale([inDir], out, base))).toMatchObject({ type: 'enqueued', added: 3 });

    const doomed = spawnCli(['worker', '--queue', redis.url, '--queue-name', name, '--lock-ms', '1000', '--model', model]);
    const q = new Queue<UpscaleJobData>(name, { connection: parseQueueUrl(redis.url) });
    await until(async () => (await q.getActiveCount()) > 0, 90_000, 'the doomed worker to take a job');
    doomed.child.kill('SIGKILL');
    expect((await doomed.done).signal).toBe('SIGKILL');
    const orphans = await q.getActive();
    expect(orphans).toHaveLength(1); // held by a dead worker (one upscale job at a time): its lock will run out
    const orphan = orphans[0]!;
    // what a kill inside the atomic write leaves (the kill cannot be aimed at that instant): a partial temporary
    // file beside the output, named as writeFileAtomic names it, from the dead worker's pid
    mkdirSync(out, { recursive: true });
    const partial = `${orphan.data.out}.tmp-${doomed.child.pid}-0`;
    writeFileSync(partial, readFileSync(join(ref, NAMES[0]!)).subarray(0, 50));

    const rescuer = startQueueWorker({ queue: redis.url, queueName: name, model, lockMs: 1000, stalledCheckMs: 250 });
    const stalled: string[] = [];
    rescuer.events.subscribe((e) => e.type === 'stalled' && stalled.push(e.jobId));
    const events: QueueUpscaleEvent[] = await lastValueFrom(enqueueUpscale([inDir], out, { ...base, wait: true }).pipe(toArray()));
    await rescuer.close();
    expect(events.at(-1)).toEqual({ type: 'done', ok: 3, failed: 0 });
    expect(stalled).toContain(orphan.id);
    const again = await q.getJob(orphan.id!);
    expect(again?.finishedOn).toBeGreaterThan(0);
    expect(again?.stalledCounter).toBe(1);
    expect(await q.getJobCounts('completed', 'failed')).toMatchObject({ completed: 3, failed: 0 });
    await q.close();
    expect(listFiles(out)).toEqual(NAMES); // no temporary file left, nothing twice
    for (const f of NAMES) expect(readFileSync(join(out, f)).equals(readFileSync(join(ref, f)))).toBe(true);
  });
});
