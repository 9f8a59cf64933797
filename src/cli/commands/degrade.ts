/**
 * `tadsr degrade --in HQ_DIR --out OUT_DIR [--seed N] [--size 512] [--scale 4] [--workers N] [--config F]
 * [--quiet]` — make Real-ESRGAN training pairs. A thin wrapper over {@link degradeDataset}.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { lastValueFrom, tap } from 'rxjs';
import { DegradationConfigError } from '../../degradation/config.js';
import { probeWritable } from '../../io/safe-output.js';
import { type DegradeEvent, DegradeUsageError, degradeDataset, isDirectory } from '../../graphs/degrade-dataset.js';
import { intOption } from '../int-option.js';

interface DegradeCliOptions {
  in: string;
  out: string;
  seed: string;
  size?: string;
  scale?: string;
  workers?: string;
  config?: string;
  quiet?: boolean;
  pngCompression: string;
  queue?: string;
  queueName: string;
  wait?: boolean;
  retryFailed?: boolean;
}

const HELP_AFTER = `
Writes OUT_DIR/hq/NAME.png (the crop), OUT_DIR/lq/NAME.png (its degradation) and OUT_DIR/manifest.jsonl
(one line per pair with every sampled parameter). The flow is OSEDiff's (no USM, LQ = crop/scale);
put "usm": true in --config for Real-ESRGAN's. --size/--scale override the config's gt_size/scale.
Every other parameter (kernel, resize, noise and JPEG ranges; Real-ESRGAN defaults) lives in the JSON
config, validated on load. An interrupted run (even kill -9) resumes: rerun the same command.
Unreadable inputs are listed at the end and make the exit code 1; all good files are still written.

With --queue redis://HOST:PORT[/DB] the images become jobs on a Redis queue (BullMQ) for \`tadsr worker\`
processes on any machines that see the same paths; it returns once they are enqueued, or with --wait follows
them to the end and writes manifest.jsonl. Rerunning it adds only what is missing; outputs are the same bytes.

Examples:
  tadsr degrade --in ../shared/data/train/kodak24 --out pairs --seed 1
  tadsr degrade --in photos --out pairs256 --size 256 --workers 2 --config degradation.json
  tadsr degrade --in /shared/photos --out /shared/pairs --seed 1 --queue redis://10.0.0.5:6379 --wait`;

export function registerDegrade(program: Command): void {
  program
    .command('degrade')
    .description('make Real-ESRGAN (second-order) training pairs from a folder of HQ images')
    .requiredOption('--in <dir>', 'folder of HQ images (png, jpg, webp, tif, bmp)')
    .requiredOption('--out <dir>', 'output folder (hq/, lq/, manifest.jsonl)')
    .option('--seed <n>', 'run seed (non-negative integer)', '0')
    .option('--size <n>', 'HQ crop size (default: config gt_size, 512)')
    .option('--scale <n>', 'downscaling factor (default: config scale, 4)')
    .option('--workers <n>', `worker threads (default: one per core of this machine, ${availableParallelism()})`)
    .option('--config <file>', 'degradation config JSON (partial; defaults fill the rest)')
    .option('--png-compression <n>', 'zlib level of written PNGs, 0-9', '6')
    .option('-q, --quiet', 'no progress bar')
    .option('--queue <url>', 'enqueue one job per image on this Redis (redis://HOST:PORT[/DB]) instead of running here')
    .option('--queue-name <name>', 'BullMQ queue name', 'tadsr')
    .option('--wait', 'with --queue: follow the jobs to the end, then write manifest.jsonl')
    .option('--retry-failed', 'with --queue: put failed jobs of an earlier run back on the queue')
    .addHelpText('after', HELP_AFTER)
    .action(async (o: DegradeCliOptions) => {
      process.exitCode = await runDegrade(o);
    });
}

function usage(message: string): number {
  process.stderr.write(`tadsr degrade: ${message}\n`);
  return 2;
}

async function runDegrade(o: DegradeCliOptions): Promise<number> {
  if (!isDirectory(o.in)) return usage(`--in ${o.in} is not a folder`);
  if (o.config !== undefined && !existsSync(o.config)) return usage(`--config ${o.config} does not exist`);
  const seed = intOption('seed', o.seed, 0, Number.MAX_SAFE_INTEGER);
  const size = intOption('size', o.size, 8, 16384);
  const scale = intOption('scale', o.scale, 1, 16);
  const workers = intOption('workers', o.workers, 1, 256);
  const png = intOption('png-compression', o.pngCompression, 0, 9);
  for (const v of [seed, size, scale, workers, png]) if (typeof v === 'string') return usage(v);
  if (o.queue === undefined && (o.wait || o.retryFailed)) return usage('--wait and --retry-failed go with --queue');
  if (o.queue !== undefined) {
    if (workers !== undefined) return usage('--workers is for a run on this machine; give each `tadsr worker` --concurrency');
    // loaded on demand: BullMQ and ioredis cost every other command nothing
    const { runDegradeOnQueue } = await import('./degrade-queue.js');
    return runDegradeOnQueue({
      queue: o.queue,
      queueName: o.queueName,
      inDir: o.in,
      outDir: o.out,
      seed: seed as number,
      ...(size === undefined ? {} : { size: size as number }),
      ...(scale === undefined ? {} : { scale: scale as number }),
      ...(o.config === undefined ? {} : { config: o.config }),
      pngCompression: png as number,
      wait: o.wait === true,
      retryFailed: o.retryFailed === true,
      quiet: o.quiet === true,
    });
  }
  probeWritable(o.out); // before any work: OutputError → exit 2 (src/cli/errors.ts)
  const showBar = !o.quiet && process.stderr.isTTY === true;
  const bar = showBar ? new SingleBar({ format: 'degrade [{bar}] {value}/{total} {name}', stream: process.stderr }) : undefined;
  let summary: Extract<DegradeEvent, { type: 'summary' }> | undefined;
  let done = 0;
  try {
    await lastValueFrom(
      degradeDataset({
        inDir: o.in,
        outDir: o.out,
        seed: seed as number,
        ...(size === undefined ? {} : { size: size as number }),
        ...(scale === undefined ? {} : { scale: scale as number }),
        ...(workers === undefined ? {} : { workers: workers as number }),
        ...(o.config === undefined ? {} : { config: o.config }),
        pngCompression: png as number,
      }).pipe(
        tap((e) => {
          if (e.type === 'start') {
            bar?.start(e.total, e.skipped, { name: '' });
            done = e.skipped;
            if (!o.quiet && e.skipped > 0) process.stderr.write(`resuming: ${e.skipped} pairs already done\n`);
          } else if (e.type === 'pair' || e.type === 'failure') {
            bar?.update(++done, { name: e.id });
          } else if (e.type === 'summary') {
            summary = e;
          }
        }),
      ),
    );
  } catch (err) {
    bar?.stop();
    if (err instanceof DegradeUsageError || err instanceof DegradationConfigError) return usage(err.message);
    throw err;
  }
  bar?.stop();
  if (!summary) throw new Error('degrade finished without a summary');
  const s = summary;
  if (!o.quiet) {
    process.stderr.write(
      `${s.written} pairs written, ${s.skipped} already done, ${s.failed.length} failed ` +
        `(${(s.elapsedMs / 1000).toFixed(1)} s; manifest ${s.manifestLines} lines)\n`,
    );
  }
  if (s.failed.length) {
    process.stderr.write(`failed (${s.failed.length}):\n`);
    for (const f of s.failed) process.stderr.write(`  ${f.path}: ${f.message}\n`);
    return 1;
  }
  return 0;
}
