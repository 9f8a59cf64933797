/**
 * `tadsr upscale IN... -o OUT --queue URL [--wait]`: the queued form of `tadsr upscale`, a thin wrapper over
 * {@link enqueueUpscale}. Exit codes: 0 all good, 1 some images failed, 2 a usage problem.
 */
import { lastValueFrom, tap } from 'rxjs';
import { UsageError } from '../../graphs/infer.js';
import { ModelDirError } from '../../graphs/model-dir.js';
import { QueueUsageError } from '../../queue/errors.js';
import { type EnqueueUpscaleOptions, enqueueUpscale } from '../../queue/upscale-producer.js';

export async function runUpscaleOnQueue(inputs: string[], out: string, o: EnqueueUpscaleOptions & { quiet: boolean }): Promise<number> {
  const { quiet, ...opts } = o;
  const failures: string[] = [];
  try {
    await lastValueFrom(
      enqueueUpscale(inputs, out, opts).pipe(
        tap((e) => {
          if (e.type === 'enqueued' && !quiet) {
            process.stderr.write(
              `${e.added} upscale jobs enqueued on ${opts.queue} (model ${e.modelHash}); ${e.existing} already there, ` +
                `${e.retried} retried, ${e.skipped} outputs already exist\n`,
            );
            if (!opts.wait) process.stderr.write(`follow with: tadsr queue status --queue ${opts.queue}\n`);
          } else if (e.type === 'file' && !quiet) {
            process.stderr.write(`${e.out} (${e.width}x${e.height}, ${e.ms} ms)\n`);
          } else if (e.type === 'error') {
            failures.push(`${e.path}: ${e.message}`);
          } else if (e.type === 'done' && !quiet) {
            process.stderr.write(`${e.ok} written, ${e.failed} failed\n`);
          }
        }),
      ),
    );
  } catch (err) {
    if (err instanceof UsageError || err instanceof ModelDirError || err instanceof QueueUsageError) {
      process.stderr.write(`tadsr upscale: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  for (const f of failures) process.stderr.write(`tadsr upscale: failed ${f}\n`);
  return failures.length > 0 ? 1 : 0;
}
