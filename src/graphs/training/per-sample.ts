/**
 * The training step's per-sample pieces on TF.js: the timesteps of a step (t_s, t_v, fake-score t, drawn per
 * sample as the official code does, or one per step) and the per-sample linear maps of src/schedule
 * (`oneStepCoefficientsPerSample`, `x0CoefficientsPerSample`, `noisingCoefficientsPerSample`) applied to
 * `[B, C, h, w]` tensors — the same coefficients the inference operators apply on the host.
 *
 * ```ts
 * const ts = drawTimesteps(cfg, step);                 // { tS: [41, 877], tV: [20, 438], tFake: [...] }
 * const zHat = linearPerSample(oneStepCoefficientsPerSample('ddpm-x0', ts.tS, sched), zL, eps);
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../random/rng.js';
import type { PerSampleCoefficients } from '../../schedule/one-step.js';
import { OFFICIAL_TS, type TimeMapping, tvFromTs } from '../../schedule/timesteps.js';

/** One step's timesteps, one entry per batch sample. */
export interface StepTimesteps {
  /** Student (encoder and UNet) timestep, from the 50 official values (those in `tsRange`; or `debug.fixedTs`). */
  readonly tS: readonly number[];
  /** Teacher/fake-score timestep of the TAVSD term: ⌊λ·t_s + γ⌋, or uniform in [20, 980) for plain VSD. */
  readonly tV: readonly number[];
  /** Timestep of the fake score's own diffusion loss, uniform in [0, 1000). */
  readonly tFake: readonly number[];
}

export interface DrawTimestepsOptions {
  readonly seed: number;
  readonly batch: number;
  /** `per-sample` (official) or `per-batch` (one draw of each, broadcast: tadsr before per-sample draws). */
  readonly timesteps: 'per-sample' | 'per-batch';
  /** TAVSD's t_v = λ·t_s + γ; false: plain VSD's uniform t_v. */
  readonly tavsd: boolean;
  readonly timeMapping: TimeMapping;
  readonly fixedTs?: number | undefined;
  /** Draw t_s only from the official values in [min, max] (default: all of them). */
  readonly tsRange?: { readonly min: number; readonly max: number } | undefined;
}

/**
 * The timesteps of step `step`, a function of (seed, step) only. Draw order from the step's `timesteps` stream:
 * every t_s, then (plain VSD) every t_v, then every fake-score t — so `per-batch` reproduces the draws of runs
 * made before per-sample timesteps exactly.
 */
export function drawTimesteps(o: DrawTimestepsOptions, step: number): StepTimesteps {
  const rng = Rng.forImage(o.seed, `step-${step}`, 'timesteps');
  const n = o.timesteps === 'per-sample' ? o.batch : 1;
  const draw = (f: () => number): number[] => {
    const v = Array.from({ length: n }, f);
    return n === o.batch ? v : Array<number>(o.batch).fill(v[0]!);
  };
  const pool = o.tsRange ? OFFICIAL_TS.filter((t) => t >= o.tsRange!.min && t <= o.tsRange!.max) : OFFICIAL_TS;
  if (pool.length === 0) throw new RangeError(`no training t_s in [${o.tsRange!.min}, ${o.tsRange!.max}]`);
  const tS = draw(() => pool[rng.randint(0, pool.length - 1)]!).map((t) => o.fixedTs ?? t);
  const tV = o.tavsd ? tS.map((t) => tvFromTs(t, o.timeMapping)) : draw(() => rng.randint(20, 979));
  const tFake = draw(() => rng.randint(0, 999));
  return { tS, tV, tFake };
}

/**
 * The anchor's t_s of step `step`, one per sample, uniform over the official values ≤ `maxTs` (its own stream, so
 * the other draws of a run do not move when the anchor is switched on).
 */
export function drawAnchorTimesteps(seed: number, step: number, batch: number, maxTs: number): number[] {
  const pool = OFFICIAL_TS.filter((t) => t <= maxTs);
  if (pool.length === 0) throw new RangeError(`no training t_s ≤ ${maxTs}`);
  const rng = Rng.forImage(seed, `step-${step}`, 'anchor-timesteps');
  return Array.from({ length: batch }, () => pool[rng.randint(0, pool.length - 1)]!);
}

/** `[B]` values as a `[B, 1, 1, 1]` tensor (a per-sample factor of NCHW). */
export function perSampleColumn(v: ArrayLike<number>): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(v as ArrayLike<number>), [v.length, 1, 1, 1]);
}

/** out_i = a_i·z_i + b_i·ε_i over NCHW batches: ẑ (one-step formula), x0 (scores) or z_t (noising). */
export function linearPerSample(c: PerSampleCoefficients, z: tf.Tensor, eps: tf.Tensor): tf.Tensor {
  if (c.a.length !== z.shape[0]) throw new RangeError(`${c.a.length} coefficients for a batch of ${z.shape[0]}`);
  return tf.tidy(() => tf.add(tf.mul(z, perSampleColumn(c.a)), tf.mul(eps, perSampleColumn(c.b))));
}
