/**
 * `tadsr worker --queue URL [--concurrency N] [--model DIR] [--config F --size N --scale N --png-compression N]
 * [--until-empty]` — run queued degrade and upscale jobs on this machine until stopped (Ctrl-C / SIGTERM finish the running jobs first).
 * A thin wrapper over {@link startQueueWorker}.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { DegradationConfigError, loadDegradationConfig, parseDegradationConfig } from '../../degradation/config.js';
import { degradeConfigHash } from '../../queue/degrade-jobs.js';
import { QueueUsageError } from '../../queue/errors.js';
import { intOption } from '../int-option.js';

interface WorkerCliOptions {
  queue: string;
  queueName: string;
  concurrency: string;
  config?: string;
  size?: string;
  scale?: string;
  pngCompression?: string;
  lockMs: string;
  model?: string;
  untilEmpty?: boolean;
  quiet?: boolean;
}

const HELP_AFTER = `
Runs jobs that \`tadsr degrade --queue URL\` and \`tadsr upscale --queue URL\` put on the queue, each through the
same code as the local command (same bytes), on as many machines as see the same input and output paths.
Upscale jobs need the model they were made for (--model DIR, default the shipped one): others are refused.
A worker that dies mid-job (kill -9, a lost machine) leaves its job to be taken back by another after
--lock-ms. With --config (and --size/--scale/--png-compression) the worker runs only jobs made with that
config and refuses others, with the reason, instead of writing mismatched outputs.

Examples:
  tadsr worker --queue redis://10.0.0.5:6379 --concurrency 4
  tadsr worker --queue redis://10.0.0.5:6379 --config degradation.json --size 256 --until-empty`;

function usage(message: string): number {
  process.stderr.write(`tadsr worker: ${message}\n`);
  return 2;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run queued degrade and upscale jobs from a Redis queue (see degrade/upscale --queue)')
    .requiredOption('--queue <url>', 'Redis URL, redis://HOST:PORT[/DB]')
    .option('--queue-name <name>', 'BullMQ queue name', 'tadsr')
    .option('--concurrency <n>', 'jobs at once, each in a worker thread', '1')
    .option('--config <file>', 'run only jobs made with this degradation config (partial; defaults fill the rest)')
    .option('--size <n>', 'with --config: its gt_size override')
    .option('--scale <n>', 'with --config: its scale override')
    .option('--png-compression <n>', 'with --config: the PNG zlib level of the jobs')
    .option('--model <dir>', 'model directory for upscale jobs (default: the shipped models/default); others are refused')
    .option('--lock-ms <n>', 'a job of a worker that stopped answering is taken back after this long', '30000')
    .option('--until-empty', 'exit once the queue has had jobs and has none left to run (exit code 1 if a job failed here)')
    .option('-q, --quiet', 'no line per job')
    .addHelpText('after', HELP_AFTER)
    .action(async (o: WorkerCliOptions) => {
      process.exitCode = await runWorker(o);
    });
}

function pinnedHash(o: WorkerCliOptions): string | undefined {
  const size = intOption('size', o.size, 8, 16384);
  const scale = intOption('scale', o.scale, 1, 16);
  const png = intOption('png-compression', o.pngCompression, 0, 9);
  for (const v of [size, scale, png]) if (typeof v === 'string') throw new QueueUsageError(v);
  if (o.config === undefined) {
    if (size !== undefined || scale !== undefined || png !== undefined) {
      throw new QueueUsageError('--size, --scale and --png-compression pin a config: give --config too');
    }
    return undefined;
  }
  if (!existsSync(o.config)) throw new QueueUsageError(`--config ${o.config} does not exist`);
  const config = parseDegradationConfig({
    ...loadDegradationConfig(o.config),
    ...(size === undefined ? {} : { gt_size: size }),
    ...(scale === undefined ? {} : { scale }),
  });
  return degradeConfigHash(config, (png as number | undefined) ?? 6);
}

async function runWorker(o: WorkerCliOptions): Promise<number> {
  const concurrency = intOption('concurrency', o.concurrency, 1, 256);
  const lockMs = intOption('lock-ms', o.lockMs, 200, 24 * 3600 * 1000);
  for (const v of [concurrency, lockMs]) if (typeof v === 'string') return usage(v);
  // loaded on demand: BullMQ and ioredis cost every other command nothing
  const [{ Queue }, { checkReachable, parseQueueUrl }, { startQueueWorker }] = await Promise.all([
    import('bullmq'),
    import('../../queue/connection.js'),
    import('../../queue/queue-worker.js'),
  ]);
  let configHash: string | undefined;
  let connection;
  try {
    configHash = pinnedHash(o);
    if (o.model !== undefined && !existsSync(join(o.model, 'model.json'))) throw new QueueUsageError(`--model ${o.model} holds no model.json`);
    connection = parseQueueUrl(o.queue);
    await checkReachable(connection);
  } catch (err) {
    if (err instanceof QueueUsageError || err instanceof DegradationConfigError) return usage(err.message);
    throw err;
  }
  const worker = startQueueWorker({
    queue: o.queue,
    queueName: o.queueName,
    concurrency: concurrency as number,
    lockMs: lockMs as number,
    stalledCheckMs: Math.max(100, Math.round((lockMs as number) / 2)),
    ...(configHash === undefined ? {} : { configHash }),
    ...(o.model === undefined ? {} : { model: o.model }),
  });
  let failures = 0;
  let inFlight = 0;
  let lastError = '';
  worker.events.subscribe((e) => {
    if (e.type === 'active') inFlight++;
    else if (e.type === 'completed') {
      inFlight--;
      if (!o.quiet) process.stderr.write(`done ${e.id} (${Math.round(e.ms)} ms)\n`);
    } else if (e.type === 'failed') {
      if (e.path) inFlight = Math.max(0, inFlight - 1);
      if (e.final) failures++;
      if (!o.quiet) process.stderr.write(`${e.final ? 'failed' : 'will retry'} ${e.path || e.jobId}: ${e.message}\n`);
    } else if (e.type === 'stalled') {
      if (!o.quiet) process.stderr.write(`took back job ${e.jobId} from a worker that stopped answering\n`);
    } else if (e.type === 'error' && e.message !== lastError) {
      lastError = e.message;
      process.stderr.write(`redis: ${e.message} (retrying)\n`);
    }
  });
  await worker.ready;
  if (!o.quiet) {
    process.stderr.write(
      `worker on ${o.queue} (queue "${o.queueName}", concurrency ${concurrency}${configHash ? `, config ${configHash} only` : ''})\n`,
    );
  }
  let stop: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((res) => (stop = res));
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (++signals > 1) process.exit(130);
    stop(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let poll: NodeJS.Timeout | undefined;
  if (o.untilEmpty) {
    const queue = new Queue(o.queueName, { connection });
    queue.on('error', () => undefined);
    const check = async (): Promise<void> => {
      const c = await queue.getJobCounts('waiting', 'prioritized', 'paused', 'delayed', 'completed', 'failed');
      const left = (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0) + (c.delayed ?? 0);
      // a worker started before the producer waits for the first jobs
      const everHadJobs = (c.completed ?? 0) + (c.failed ?? 0) > 0;
      if (left === 0 && inFlight === 0 && everHadJobs) stop('empty');
      else poll = setTimeout(() => void check().catch(() => (poll = setTimeout(() => void check(), 500))), 500);
    };
    poll = setTimeout(() => void check(), 500);
    void stopped.then(() => queue.close());
  }
  const why = await stopped;
  if (poll) clearTimeout(poll);
  if (!o.quiet && why !== 'empty') process.stderr.write(`${why}: finishing running jobs\n`);
  await worker.close();
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  return o.untilEmpty && failures > 0 ? 1 : 0;
}
