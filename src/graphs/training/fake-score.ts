/**
 * The fake score's update (one AdamW step on its LoRA): the diffusion loss MSE(ε_φ(z_t, t), n) on
 * z_t = α_t·sg(ẑ) + σ_t·n, with t and n per sample — the same noising coefficients (`noisingCoefficientsPerSample`)
 * and loss (`diffusionLoss`) the rest of tadsr uses. `trainStep` runs it after the student's update; it is also a
 * step of its own for graphs that train a fake score beside another student.
 *
 * ```ts
 * const { loss, gradNorm } = fakeScoreUpdate(nets, optF, zHat, [311, 42], noise, scheduleOf(nets.spec));
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AdamW } from '../../backends/tfjs/train/adamw.js';
import { diffusionLoss } from '../../losses/diffusion-loss.js';
import type { NoiseSchedule } from '../../schedule/noise-schedule.js';
import { noisingCoefficientsPerSample } from '../../schedule/one-step.js';
import type { DistillNets } from './nets.js';
import { linearPerSample } from './per-sample.js';

export interface FakeScoreUpdate {
  /** The diffusion loss before the update. */
  readonly loss: number;
  /** Norm of the LoRA gradient (before clipping). */
  readonly gradNorm: number;
}

/**
 * One update of `nets`' fake-score LoRA by `opt` on the (constant) latents `zHat` `[B, C, h, w]`, at per-sample
 * timesteps `t` with standard-normal `noise` (zHat's size). `zHat` is not disposed.
 */
export function fakeScoreUpdate(nets: DistillNets, opt: AdamW, zHat: tf.Tensor, t: readonly number[], noise: Float32Array, schedule: NoiseSchedule): FakeScoreUpdate {
  if (noise.length !== zHat.size) throw new RangeError(`noise has ${noise.length} values, ẑ has ${zHat.size}`);
  const coef = noisingCoefficientsPerSample(t, schedule);
  const vars = [...nets.fakeVars.values()];
  const res = tf.variableGrads(() => {
    const n = tf.tensor(noise, zHat.shape);
    const zt = linearPerSample(coef, zHat, n);
    return diffusionLoss(nets.fakeEps(zt, t), n);
  }, vars);
  const byKey: Record<string, tf.Tensor> = {};
  for (const [k, v] of nets.fakeVars) if (res.grads[v.name]) byKey[k] = res.grads[v.name]!;
  const gradNorm = opt.apply(byKey);
  const loss = res.value.dataSync()[0]!;
  tf.dispose([res.value, ...Object.values(res.grads)]);
  return { loss, gradNorm };
}
