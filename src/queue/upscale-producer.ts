/**
 * `enqueueUpscale(inputs, out, opts)` — `upscale(...)` spread over machines: one BullMQ job per image, run by
 * {@link startQueueWorker} processes holding the same model (they refuse jobs for another model hash). Inputs and
 * outputs are paired exactly as `tadsr upscale` pairs them (folder in → folder out, same names) and made absolute.
 *
 * Events: `enqueued`, then with `wait: true` the `file` / `error` / `done` events of `upscale`, as jobs finish.
 * Rerunning adds only jobs that are not on the queue and whose output file does not exist yet.
 *
 * ```ts
 * enqueueUpscale(['/shared/lq'], '/shared/sr', { queue: 'redis://10.0.0.5:6379', tS: 300, wait: true }).subscribe(console.log);
 * ```
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Observable } from 'rxjs';
import { type UpscaleEvent, UsageError, defaultModelDir, planOutputs } from '../graphs/infer.js';
import { checkTs } from '../schedule/timesteps.js';
import { checkTileOptions } from '../tiling/plan.js';
import { TADSR_VERSION } from './degrade-jobs.js';
import { type ProduceOptions, produceJobs } from './produce-jobs.js';
import { UPSCALE_JOB, type UpscaleJobData, type UpscaleJobOptions, type UpscaleJobResult, modelHash, upscaleJobId } from './upscale-jobs.js';

export interface EnqueueUpscaleOptions extends UpscaleJobOptions, ProduceOptions {
  /** The model the workers must hold (default: the package's `models/default`); only its hash travels. */
  readonly model?: string;
}

export type QueueUpscaleEvent =
  | {
      readonly type: 'enqueued';
      readonly files: number;
      readonly added: number;
      readonly existing: number;
      readonly retried: number;
      /** Outputs already on disk: no job. */
      readonly skipped: number;
      readonly modelHash: string;
    }
  | Extract<UpscaleEvent, { type: 'file' | 'error' | 'done' }>;

export function enqueueUpscale(inputs: readonly string[], out: string, opts: EnqueueUpscaleOptions): Observable<QueueUpscaleEvent> {
  type Plan = { plan: ReturnType<typeof planOutputs>; hash: string };
  return produceJobs<QueueUpscaleEvent, Plan, UpscaleJobData, UpscaleJobResult>(opts, {
    plan: async () => {
      try {
        if (opts.tS !== undefined) checkTs(opts.tS);
        if (opts.tile !== undefined) checkTileOptions({ tile: opts.tile, overlap: opts.overlap ?? Math.min(32, Math.floor(opts.tile / 4)) });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const plan = planOutputs(inputs.map((p) => resolve(p)), resolve(out));
      return { plan, hash: await modelHash(opts.model ?? defaultModelDir()) };
    },
    jobs: async ({ plan, hash }, _queue, emit) => {
      const options: UpscaleJobOptions = {
        ...(opts.tS !== undefined ? { tS: opts.tS } : {}),
        ...(opts.tile !== undefined ? { tile: opts.tile } : {}),
        ...(opts.overlap !== undefined ? { overlap: opts.overlap } : {}),
        ...(opts.colorFix !== undefined ? { colorFix: opts.colorFix } : {}),
        ...(opts.formula !== undefined ? { formula: opts.formula } : {}),
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      };
      const jobs = plan
        .filter((p) => !existsSync(p.out))
        .map((p) => {
          const data: UpscaleJobData = { kind: UPSCALE_JOB, tadsr: TADSR_VERSION, modelHash: hash, path: p.path, out: p.out, options };
          return { jobId: upscaleJobId(data), name: UPSCALE_JOB, data };
        });
      const byJob = new Map(jobs.map((t) => [t.jobId, t.data]));
      let ok = plan.length - jobs.length;
      let failed = 0;
      return {
        jobs,
        onAdded: (counts) => emit({ type: 'enqueued', files: plan.length, ...counts, skipped: plan.length - jobs.length, modelHash: hash }),
        onOutcome: (o) => {
          const data = byJob.get(o.jobId)!;
          if (o.ok && o.result) {
            ok++;
            emit({ type: 'file', path: data.path, out: data.out, width: o.result.width, height: o.result.height, ms: o.result.ms });
          } else {
            failed++;
            emit({ type: 'error', path: data.path, message: o.ok ? 'completed without a result' : o.message });
          }
        },
        finish: () => emit({ type: 'done', ok, failed }),
      };
    },
  });
}
