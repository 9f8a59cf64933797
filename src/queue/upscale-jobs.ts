/**
 * What an upscale job on the queue is: one input file, its output path, the options `tadsr upscale` takes, and the
 * hash of the model the producer meant — a worker holding another model refuses the job instead of writing
 * outputs of the wrong model.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ColorFixMode } from '../color/color-fix.js';
import { readManifest } from '../graphs/model-dir.js';
import type { OneStepFormula } from '../schedule/one-step.js';
import { canonicalJson } from './degrade-jobs.js';

/** BullMQ job name of an upscale job. */
export const UPSCALE_JOB = 'upscale';

/** The `tadsr upscale` options a job carries (everything but the model, which is named by its hash). */
export interface UpscaleJobOptions {
  readonly tS?: number;
  readonly tile?: number;
  readonly overlap?: number;
  readonly colorFix?: ColorFixMode;
  readonly formula?: OneStepFormula;
  readonly seed?: number;
}

export interface UpscaleJobData {
  readonly kind: typeof UPSCALE_JOB;
  readonly tadsr: string;
  /** {@link modelHash} of the model the producer named. */
  readonly modelHash: string;
  /** Absolute input path. */
  readonly path: string;
  /** Absolute output path. */
  readonly out: string;
  readonly options: UpscaleJobOptions;
}

export interface UpscaleJobResult {
  readonly out: string;
  readonly width: number;
  readonly height: number;
  readonly ms: number;
}

async function hashFile(h: ReturnType<typeof createHash>, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
}

/**
 * 16 hex digits of sha256 over a model directory's `model.json` and the weight files it names for inference: UNet,
 * VAE, and the t_s adapter and text encoder when it has them (a folder without those hashes as it always did).
 */
export async function modelHash(dir: string): Promise<string> {
  const manifest = await readManifest(dir);
  const h = createHash('sha256');
  const optional = [manifest.files.tsAdapter, manifest.files.textEncoder].filter((f): f is string => f !== undefined);
  for (const f of ['model.json', manifest.files.unet, manifest.files.vae, ...optional]) {
    h.update(`${f}\0`);
    await hashFile(h, join(dir, f));
  }
  return h.digest('hex').slice(0, 16);
}

/** The job id of one file: `upscale-` + a hash of (input, output, options, model hash). */
export function upscaleJobId(data: Pick<UpscaleJobData, 'path' | 'out' | 'options' | 'modelHash'>): string {
  const key = canonicalJson({ path: data.path, out: data.out, options: data.options, model: data.modelHash });
  return `upscale-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

/**
 * Remove the temporary files a killed worker left beside the output `out` (`NAME.tmp-PID-N`, see
 * `writeFileAtomic`); returns how many. Only that output's: other jobs writing into the same folder are untouched.
 */
export function sweepUpscaleTemp(out: string): number {
  const dir = dirname(out);
  const prefix = `${basename(out)}.tmp-`;
  if (!existsSync(dir)) return 0;
  let removed = 0;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    try {
      unlinkSync(join(dir, name));
      removed++;
    } catch {
      /* gone meanwhile */
    }
  }
  return removed;
}
