import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upscale } from '../../src/graphs/infer.js';
import { initModelDir } from '../../src/graphs/model-dir.js';
import { startQueueWorker } from '../../src/queue/queue-worker.js';
import { modelHash } from '../../src/queue/upscale-jobs.js';
import { type QueueUpscaleEvent, enqueueUpscale } from '../../src/queue/upscale-producer.js';
import { HAVE_REDIS, NO_REDIS_REASON, type RedisHandle, startRedis } from '../helpers/redis-server.js';
import { listFiles } from './queue-fixtures.js';

if (!HAVE_REDIS) console.warn(NO_REDIS_REASON);

let redis: RedisHandle;
let root: string;
let modelA: string;
let modelB: string;
let inDir: string;
beforeAll(async () => {
  if (!HAVE_REDIS) return;
  redis = await startRedis();
  root = mkdtempSync(join(tmpdir(), 'tadsr-upq-'));
  modelA = join(root, 'model-a');
  modelB = join(root, 'model-b');
  await initModelDir(modelA, 'tiny', { seed: 3 });
  await initModelDir(modelB, 'tiny', { seed: 4 });
  inDir = join(root, 'in');
  mkdirSync(inDir);
  const px = (w: number, h: number, k: number) => Buffer.from(Array.from({ length: w * h * 3 }, (_, i) => (i * 37 + k * 11) % 256));
  await sharp(px(20, 12, 1), { raw: { width: 20, height: 12, channels: 3 } }).png().toFile(join(inDir, 'a.png'));
  await sharp(px(12, 10, 2), { raw: { width: 12, height: 10, channels: 3 } }).png().toFile(join(inDir, 'b.png'));
  writeFileSync(join(inDir, 'c-broken.png'), 'not an image');
});
afterAll(async () => {
  await redis?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!HAVE_REDIS)('upscale on a BullMQ queue (real redis-server, tiny model)', () => {
  it('writes the bytes of a local upscale; a broken file fails with its reason; a worker with another model refuses', async () => {
    const opts = { tS: 250, tile: 16, overlap: 4, seed: 7 };
    const ref = join(root, 'ref');
    await lastValueFrom(upscale([inDir], ref, { ...opts, model: modelA }));

    // a worker holding model B refuses jobs made for model A, with the reason, and writes nothing
    const wrongOut = join(root, 'wrong');
    const wrong = startQueueWorker({ queue: redis.url, queueName: 'up-wrong', model: modelB });
    const refused = await lastValueFrom(
      enqueueUpscale([inDir], wrongOut, { ...opts, model: modelA, queue: redis.url, queueName: 'up-wrong', wait: true, pollMs: 200 }).pipe(toArray()),
    );
    await wrong.close();
    const [ha, hb] = [await modelHash(modelA), await modelHash(modelB)];
    expect(ha).not.toBe(hb);
    const refusals = refused.filter((e) => e.type === 'error');
    expect(refusals).toHaveLength(3);
    for (const e of refusals) expect(e.type === 'error' && e.message).toContain(`refused: this worker holds model ${hb}`);
    expect(listFiles(wrongOut)).toEqual([]);

    const out = join(root, 'queued');
    const worker = startQueueWorker({ queue: redis.url, queueName: 'up', model: modelA });
    const base = { ...opts, model: modelA, queue: redis.url, queueName: 'up', pollMs: 200 };
    expect(await lastValueFrom(enqueueUpscale([inDir], out, base))).toMatchObject({ type: 'enqueued', added: 3 });
    expect(await lastValueFrom(enqueueUpscale([inDir], out, base))).toMatchObject({ type: 'enqueued', added: 0, existing: 3 });
    const events: QueueUpscaleEvent[] = await lastValueFrom(enqueueUpscale([inDir], out, { ...base, wait: true }).pipe(toArray()));
    await worker.close();
    expect(events.at(-1)).toEqual({ type: 'done', ok: 2, failed: 1 });
    const broken = events.find((e) => e.type === 'error');
    expect(broken?.type === 'error' && broken.path).toBe(join(inDir, 'c-broken.png'));
    expect(broken?.type === 'error' && broken.message.length).toBeGreaterThan(5);
    expect(listFiles(out)).toEqual(['a.png', 'b.png']);
    for (const f of ['a.png', 'b.png']) expect(readFileSync(join(out, f)).equals(readFileSync(join(ref, f)))).toBe(true);
  });
});
