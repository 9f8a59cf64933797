/**
 * What a degrade job on the queue is: the very {@link PairTask} `tadsr degrade` runs per image (so a worker runs the
 * same code on the same values; its config is stored once on the queue and named by hash), plus what a worker needs to refuse a job it would get wrong — the tadsr version
 * that made the job and the hash of the config the outputs depend on.
 *
 * Job ids are derived from (input file, output folder, seed, config hash): adding the same image twice adds
 * nothing, and a producer that crashed half-way can simply be run again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { DegradationConfig } from '../degradation/config.js';
import type { PairTask } from '../graphs/degrade-task.js';

const require = createRequire(import.meta.url);
/** The tadsr version that runs here; a job made by another version is refused (its outputs could differ). */
export const TADSR_VERSION = (require('../../package.json') as { version: string }).version;

/** BullMQ job name of a degrade job. */
export const DEGRADE_JOB = 'degrade';

export interface DegradeJobData {
  readonly kind: typeof DEGRADE_JOB;
  /** tadsr version of the producer. */
  readonly tadsr: string;
  /**
   * {@link degradeConfigHash} of the config and `task.pngCompression`. The config itself is stored once per
   * queue under the key {@link configKey} (a million jobs do not carry a million copies of it).
   */
  readonly configHash: string;
  readonly task: Omit<PairTask, 'config'>;
}

/** The queue key (relative to the queue's prefix, see BullMQ's `toKey`) holding the config of `hash` as JSON. */
export function configKey(hash: string): string {
  return `tadsr-config:${hash}`;
}

/** What a completed degrade job returns (stored by BullMQ as the job's return value). */
export interface DegradeJobResult {
  readonly id: string;
  /** Milliseconds the pair took in the worker thread. */
  readonly ms: number;
}

/** JSON with object keys sorted, so that equal values hash equally whatever order their keys were built in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * 16 hex digits naming everything besides the seed and the pixels that an output's bytes depend on: the full
 * degradation config and the PNG compression level.
 */
export function degradeConfigHash(config: DegradationConfig, pngCompression = 6): string {
  return sha256(canonicalJson({ config, pngCompression })).slice(0, 16);
}

/** The job id of one image: `degrade-` + a hash of (absolute input path, absolute output folder, seed, config hash). */
export function degradeJobId(task: Pick<PairTask, 'path' | 'outDir' | 'seed'>, configHash: string): string {
  return `degrade-${sha256([task.path, task.outDir, String(task.seed), configHash].join('\0')).slice(0, 32)}`;
}

/** Remove temporary files (`NAME.tmp-PID-N`) a killed worker left in OUT's output folders. */
export function sweepTempFiles(outDir: string, id?: string): number {
  let removed = 0;
  for (const sub of ['hq', 'lq', 'manifest.d']) {
    const dir = resolve(outDir, sub);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (!name.includes('.tmp-')) continue;
      if (id !== undefined && !name.startsWith(`${id}.`)) continue;
      try {
        unlinkSync(resolve(dir, name));
        removed++;
      } catch {
        /* gone meanwhile */
      }
    }
  }
  return removed;
}
