/**
 * `tadsr queue status --queue URL [--json]` — counts, workers, rate, ETA and each failure with its reason.
 * A thin wrapper over {@link queueStatus}. Exit code 1 when the queue holds failed jobs.
 */
import type { Command } from 'commander';
import { QueueUsageError } from '../../queue/errors.js';

interface StatusCliOptions {
  queue: string;
  queueName: string;
  json?: boolean;
}

function duration(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function registerQueue(program: Command): void {
  const queue = program.command('queue').description('look at a Redis job queue of tadsr (see degrade --queue, worker)');
  queue
    .command('status')
    .description('job counts, workers, rate, ETA and every failure with its reason')
    .requiredOption('--queue <url>', 'Redis URL, redis://HOST:PORT[/DB]')
    .option('--queue-name <name>', 'BullMQ queue name', 'tadsr')
    .option('--json', 'print the status as JSON')
    .action(async (o: StatusCliOptions) => {
      process.exitCode = await runStatus(o);
    });
}

async function runStatus(o: StatusCliOptions): Promise<number> {
  // loaded on demand: BullMQ and ioredis cost every other command nothing
  const { queueStatus } = await import('../../queue/queue-status.js');
  let s;
  try {
    s = await queueStatus({ queue: o.queue, queueName: o.queueName });
  } catch (err) {
    if (err instanceof QueueUsageError) {
      process.stderr.write(`tadsr queue status: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (o.json) {
    process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
  } else {
    const c = s.counts;
    const lines = [
      `queue "${s.name}" on ${o.queue}: ${s.workers} worker connection(s)`,
      `  waiting ${c.waiting}, active ${c.active}, delayed ${c.delayed}, completed ${c.completed}, failed ${c.failed}`,
      `  rate ${s.ratePerSecond === null ? '-' : `${s.ratePerSecond.toFixed(2)} jobs/s`}, ETA ${
        s.etaSeconds === null ? '-' : duration(s.etaSeconds)
      }`,
    ];
    if (s.failures.length) {
      lines.push(`failed (${s.failures.length}):`);
      for (const f of s.failures) lines.push(`  ${f.path || f.jobId}: ${f.reason}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return s.failures.length ? 1 : 0;
}
