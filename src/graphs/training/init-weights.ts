/**
 * The start of a fine-tuning run (`"init"` in the training config): the student's UNet and VAE (with the
 * time-aware encoder's layers) read from a model directory, checked against the teacher's spec so the fake score
 * and the teacher (both the teacher's UNet) fit the student's latents.
 *
 * ```ts
 * const { weights, sha256 } = await readInitWeights('models/default', teacherSpec, true);
 * ```
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { readModelDir } from '../../models/model-dir.js';
import type { ModelWeights, WeightMap } from '../../models/params.js';
import type { ModelSpec } from '../../models/specs.js';
import { TrainError } from './train-error.js';

export interface InitWeights {
  readonly weights: ModelWeights;
  /**
   * SHA-256 of the UNet and VAE weights as loaded (names, shapes, values; no second read of the files): what a
   * checkpoint records, so a run resumes only on the same start.
   */
  readonly sha256: string;
}

/** The UNet and VAE weights of the model in `dir`; throws a TrainError when its networks differ from `spec`'s. */
export async function readInitWeights(dir: string, spec: ModelSpec, tae: boolean): Promise<InitWeights> {
  const model = await readModelDir(dir);
  const own = model.manifest.spec;
  const differs: string[] = (['unet', 'vae'] as const).filter((k) => !isDeepStrictEqual(own[k], spec[k]));
  if (tae && !isDeepStrictEqual(own.tae, spec.tae)) differs.push('tae');
  if (differs.length > 0) {
    throw new TrainError(`init: ${dir} is not a student of this teacher: its ${differs.join(', ')} spec differs from the teacher's (fine-tune a model distilled from the same teacher)`);
  }
  if (model.weights.tsAdapter !== undefined) {
    throw new TrainError(`init: ${dir} has a t_s adapter (its weights depend on t_s); fine-tune from the model it was built on, or from one without an adapter`);
  }
  const hash = createHash('sha256');
  const add = (prefix: string, w: WeightMap): void => {
    for (const k of [...w.keys()].sort()) {
      const t = w.get(k)!;
      hash.update(`${prefix}${k}[${t.shape.join(',')}]`);
      hash.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
  };
  add('unet.', model.weights.unet);
  add('vae.', model.weights.vae);
  return { weights: { unet: model.weights.unet, vae: model.weights.vae }, sha256: hash.digest('hex') };
}
