/**
 * The Redis job queue (BullMQ) beside the in-process graph, on the same images, in one run:
 *
 *   nice -n 10 npx tsx bench/queue.ts [--n 200] [--size 512] [--procs 1,2,4] [--burst 5000]
 *
 * Starts its own redis-server (temporary folder, AOF on with appendfsync everysec, as a production server would
 * run) on a free loopback port. Images: every k-th file of ../shared/data/train/* (sorted). Rows:
 *   - in-process `degradeDataset`, 1 worker thread (the single-process `tadsr degrade --workers 1`), wall from the
 *     first pair's start to the last pair's end; its CPU s/pair includes the thread's start-up;
 *   - queue, P worker processes (`tadsr worker --concurrency 1` each, started and connected before the jobs
 *     are added): wall from the first job taken to the last one finished (Redis timestamps, so process start-up
 *     is not counted), CPU seconds of the worker processes per pair (/proc), and the per-job overhead inside a
 *     worker = (finishedOn − processedOn) − the pair's own time in its thread;
 *   - a burst of no-op jobs: how many jobs/s one Redis takes in (addBulk) and hands through (one worker with
 *     concurrency 100, no work, in this process), and redis-server's own CPU time per job (/proc): 1 / that is the
 *     jobs/s one Redis core sustains, the load-independent measure of where Redis itself becomes the limit.
 * The machine is shared: compare within a run; CPU s/pair does not depend on the load.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { lastValueFrom, tap } from 'rxjs';
import { degradeDataset } from '../src/graphs/degrade-dataset.js';
import { idFromPath, isImagePath } from '../src/io/list-images.js';
import { parseQueueUrl } from '../src/queue/connection.js';
import { enqueueDegrade } from '../src/queue/degrade-producer.js';
import type { DegradeJobResult } from '../src/queue/degrade-jobs.js';
import { startRedis } from '../test/helpers/redis-server.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : def;
}
const N = Number(arg('n', '200'));
const SIZE = Number(arg('size', '512'));
const PROCS = arg('procs', '1,2,4').split(',').map(Number);
const BURST = Number(arg('burst', '5000'));
const TRAIN = new URL('../../shared/data/train/', import.meta.url).pathname;
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const CLI = new URL('../test/cli/run-cli.ts', import.meta.url).pathname;
const TICK = 100; // clock ticks per second (/proc/PID/stat utime, stime)

function pickImages(): string[] {
  const all: string[] = [];
  for (const sub of readdirSync(TRAIN).sort()) {
    const dir = join(TRAIN, sub);
    for (const f of readdirSync(dir).sort()) if (isImagePath(f)) all.push(join(dir, f));
  }
  const step = all.length / N;
  const picked = Array.from({ length: Math.min(N, all.length) }, (_, i) => all[Math.floor(i * step)]!);
  const seen = new Set<string>();
  return picked.filter((p) => !seen.has(idFromPath(p)) && seen.add(idFromPath(p)));
}

/** CPU seconds (user + system, all threads) a live process has used. */
function procCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}

function spawnWorker(url: string, queueName: string, concurrency = 1, extra: string[] = []): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--import', TSX, CLI, 'worker', '--queue', url, '--queue-name', queueName, '--concurrency', String(concurrency), ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('worker on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${err.slice(-500)}`)));
  });
  return { child, ready };
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
}

interface Row {
  name: string;
  wallS: number;
  pairsPerS: number;
  cpuPerPair: number;
  overheadMs?: number;
  /** Mean time of a pair in its worker thread (ms). */
  threadMs: number;
  /** Mean time a worker process slot spent between jobs, per job (ms): fetching the next job, or starved. */
  gapMs?: number;
}

const images = pickImages();
const scratch = mkdtempSync(join(tmpdir(), 'tadsr-bench-queue-'));
const redis = await startRedis({ appendfsync: 'everysec' });
const rows: Row[] = [];
/** Redis memory growth per finished degrade job, per queue row (bytes; completed jobs are kept). */
const bytesPerJob: number[] = [];
/** redis-server CPU ms per degrade job, per queue row (includes the producer's enqueue and follow-up reads). */
const redisMsPerJob: number[] = [];

async function usedMemory(url: string): Promise<number> {
  const { Redis } = await import('ioredis');
  const c = new Redis(parseQueueUrl(url));
  try {
    const info = await c.info('memory');
    return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
  } finally {
    c.disconnect();
  }
}
console.log(`queue bench: ${images.length} images from ${TRAIN}, ${SIZE}² → ${SIZE / 4}², redis ${redis.url}`);
console.log(`load average before: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2-core machine, shared)`);
try {
  {
    // wall from the first pair's start (its finish − its own time) to the last finish: like the queue rows,
    // thread start-up is not counted
    const c0 = process.cpuUsage();
    let first = Infinity;
    let last = 0;
    let threadMs = 0;
    await lastValueFrom(
      degradeDataset({ inDir: images, outDir: join(scratch, 'local'), seed: 1, size: SIZE, workers: 1 }).pipe(
        tap((e) => {
          if (e.type !== 'pair') return;
          const now = performance.now();
          threadMs += e.ms;
          first = Math.min(first, now - e.ms);
          last = now;
        }),
      ),
    );
    const wallS = (last - first) / 1000;
    const c = process.cpuUsage(c0);
    rows.push({
      name: 'in-process degradeDataset, 1 thread',
      wallS,
      pairsPerS: images.length / wallS,
      cpuPerPair: (c.user + c.system) / 1e6 / images.length,
      threadMs: threadMs / images.length,
    });
  }
  for (const P of PROCS) {
    const name = `bench-p${P}`;
    const workers = Array.from({ length: P }, () => spawnWorker(redis.url, name));
    await Promise.all(workers.map((w) => w.ready));
    await new Promise((r) => setTimeout(r, 2000)); // let the worker threads boot
    const cpu0 = workers.map((w) => procCpu(w.child.pid!));
    const mem0 = await usedMemory(redis.url);
    const redisCpu0 = procCpu(redis.pid);
    await lastValueFrom(enqueueDegrade({ queue: redis.url, queueName: name, inDir: images, outDir: join(scratch, name), seed: 1, size: SIZE, wait: true, pollMs: 500 }));
    const cpu = workers.reduce((s, w, i) => s + procCpu(w.child.pid!) - cpu0[i]!, 0);
    bytesPerJob.push((await usedMemory(redis.url)) - mem0);
    redisMsPerJob.push(((procCpu(redis.pid) - redisCpu0) * 1000) / images.length);
    await stop(workers.map((w) => w.child));
    const q = new Queue<unknown, DegradeJobResult>(name, { connection: parseQueueUrl(redis.url) });
    const jobs = await q.getCompleted(0, -1);
    await q.close();
    const first = Math.min(...jobs.map((j) => j.processedOn!));
    const last = Math.max(...jobs.map((j) => j.finishedOn!));
    const wallS = (last - first) / 1000;
    const jobMs = jobs.reduce((s, j) => s + (j.finishedOn! - j.processedOn!), 0);
    const threadMs = jobs.reduce((s, j) => s + j.returnvalue.ms, 0);
    rows.push({
      name: `queue, ${P} worker process${P > 1 ? 'es' : ''}`,
      wallS,
      pairsPerS: jobs.length / wallS,
      cpuPerPair: cpu / jobs.length,
      overheadMs: (jobMs - threadMs) / jobs.length,
      threadMs: threadMs / jobs.length,
      gapMs: (wallS * 1000 * P - jobMs) / jobs.length,
    });
  }

  // ---- no-op burst: Redis's own jobs/s ----
  const conn = parseQueueUrl(redis.url);
  const q = new Queue('bench-noop', { connection: conn });
  const memBurst0 = await usedMemory(redis.url);
  const cpuAdd0 = procCpu(redis.pid);
  const t0 = performance.now();
  for (let i = 0; i < BURST; i += 1000) {
    await q.addBulk(Array.from({ length: Math.min(1000, BURST - i) }, (_, k) => ({ name: 'noop', data: { i: i + k } })));
  }
  const addS = (performance.now() - t0) / 1000;
  const cpuRun0 = procCpu(redis.pid);
  let done = 0;
  const t1 = performance.now();
  const finished = new Promise<void>((resolve) => {
    const w = new Worker('bench-noop', async () => undefined, { connection: conn, concurrency: 100 });
    w.on('completed', () => {
      if (++done === BURST) void w.close().then(resolve);
    });
  });
  await finished;
  const runS = (performance.now() - t1) / 1000;
  const redisAddMs = ((cpuRun0 - cpuAdd0) * 1000) / BURST;
  const redisRunMs = ((procCpu(redis.pid) - cpuRun0) * 1000) / BURST;
  const noopBytes = ((await usedMemory(redis.url)) - memBurst0) / BURST;
  await q.close();

  console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('');
  const base = rows[0]!;
  console.log('| run | wall s | pairs/s | vs in-process | CPU s/pair | thread ms/pair | overhead in job (ms) | gap between jobs (ms) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.wallS.toFixed(1)} | ${r.pairsPerS.toFixed(2)} | ${(r.pairsPerS / base.pairsPerS).toFixed(2)}× | ${r.cpuPerPair.toFixed(3)} | ${r.threadMs.toFixed(0)} | ${
        r.overheadMs === undefined ? '-' : r.overheadMs.toFixed(1)
      } | ${r.gapMs === undefined ? '-' : r.gapMs.toFixed(0)} |`,
    );
  }
  console.log('');
  console.log(
    `Redis memory per finished degrade job (kept as completed): ${bytesPerJob.map((b) => (b / images.length).toFixed(0)).join(', ')} bytes; ` +
      `per finished no-op job: ${noopBytes.toFixed(0)} bytes`,
  );
  console.log(
    `redis-server CPU per degrade job (enqueue + run + follow): ${redisMsPerJob.map((m) => m.toFixed(3)).join(', ')} ms; ` +
      `per no-op job: add ${redisAddMs.toFixed(3)} ms + run ${redisRunMs.toFixed(3)} ms → one Redis core sustains about ` +
      `${(1000 / (redisAddMs + redisRunMs)).toFixed(0)} jobs/s (the limit, whatever the client machines)`,
  );
  console.log(`no-op burst of ${BURST} jobs: added at ${(BURST / addS).toFixed(0)} jobs/s (addBulk of 1000), run at ${(BURST / runS).toFixed(0)} jobs/s (one worker, concurrency 100, same process)`);
  console.log('thread ms/pair = a pair\'s own time in its worker thread; overhead in job = job time in the worker (Redis timestamps)');
  console.log('− thread time: the thread hop, lock and move to completed; gap = time a worker slot spent between jobs, per job.');
  console.log('Queue CPU s/pair counts the worker processes only (Redis and the producer are apart).');
} finally {
  await redis.stop();
  rmSync(scratch, { recursive: true, force: true });
}
