/**
 * `tadsr degrade --queue URL [--wait]`: the queued form of `tadsr degrade`, a thin wrapper over
 * {@link enqueueDegrade}. Same exit codes: 0 all good, 1 some images failed, 2 a usage problem.
 */
import { SingleBar } from 'cli-progress';
import { lastValueFrom, tap } from 'rxjs';
import { DegradationConfigError } from '../../degradation/config.js';
import { DegradeUsageError } from '../../graphs/degrade-dataset.js';
import { QueueUsageError } from '../../queue/connection.js';
import { type EnqueueDegradeOptions, type QueueDegradeEvent, enqueueDegrade } from '../../queue/degrade-producer.js';

export async function runDegradeOnQueue(o: EnqueueDegradeOptions & { quiet: boolean }): Promise<number> {
  const { quiet, ...opts } = o;
  const showBar = !quiet && opts.wait === true && process.stderr.isTTY === true;
  const bar = showBar ? new SingleBar({ format: 'degrade [{bar}] {value}/{total} {name}', stream: process.stderr }) : undefined;
  let summary: Extract<QueueDegradeEvent, { type: 'summary' }> | undefined;
  const failed: { path: string; message: string }[] = [];
  let done = 0;
  try {
    await lastValueFrom(
      enqueueDegrade(opts).pipe(
        tap((e) => {
          if (e.type === 'enqueued') {
            if (!quiet) {
              process.stderr.write(
                `${e.added} jobs enqueued on ${opts.queue} (queue "${opts.queueName ?? 'tadsr'}", config ${e.configHash}); ` +
                  `${e.existing} already there, ${e.retried} retried, ${e.skipped} pairs already done\n`,
              );
              if (!opts.wait) process.stderr.write(`follow with: tadsr queue status --queue ${opts.queue}\n`);
            }
          } else if (e.type === 'start') {
            bar?.start(e.total, e.skipped, { name: '' });
            done = e.skipped;
          } else if (e.type === 'pair' || e.type === 'failure') {
            bar?.update(++done, { name: e.id });
            if (e.type === 'failure') failed.push({ path: e.path, message: e.message });
          } else if (e.type === 'summary') {
            summary = e;
          }
        }),
      ),
    );
  } catch (err) {
    bar?.stop();
    if (err instanceof DegradeUsageError || err instanceof DegradationConfigError || err instanceof QueueUsageError) {
      process.stderr.write(`tadsr degrade: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  bar?.stop();
  if (summary && !quiet) {
    const s = summary;
    process.stderr.write(
      `${s.written} pairs written by workers, ${s.skipped} already done, ${s.failed.length} failed ` +
        `(${(s.elapsedMs / 1000).toFixed(1)} s; manifest ${s.manifestLines} lines)\n`,
    );
  }
  const list = summary ? summary.failed : failed;
  if (list.length) {
    process.stderr.write(`failed (${list.length}):\n`);
    for (const f of list) process.stderr.write(`  ${f.path}: ${f.message}\n`);
    return 1;
  }
  return 0;
}
