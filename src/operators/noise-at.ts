/**
 * `noiseAt({ mapping | tV }, seed)` — noise ẑ to the teacher timestep: t_v = λ·t_s + γ (TAVSD, official λ = 0.5,
 * γ = 0) or a fixed t_v; ẑ_{t_v} = α_{t_v}·ẑ + σ_{t_v}·ε with ε drawn from a seeded stream per frame id
 * → `tV`, `zTv`, `noise`.
 *
 * ```ts
 * frames$.pipe(denoise(b, f), noiseAt({ mapping: OFFICIAL_TIME_MAPPING }, 7))
 * ```
 */
import type { OperatorFunction } from 'rxjs';
import { Rng } from '../random/rng.js';
import type { Frame, Item } from '../frame.js';
import type { HostTensor } from '../host-tensor.js';
import { applyLinearPerSample, noisingCoefficientsPerSample } from '../schedule/one-step.js';
import { type NoiseSchedule, sdSchedule } from '../schedule/noise-schedule.js';
import { type TimeMapping, tvFromTs } from '../schedule/timesteps.js';
import { mapFrames } from './frame-operator.js';
import type { WithLatent, WithNoised, WithZHat } from './tadsr-fields.js';

export type NoiseAtOptions = { readonly mapping: TimeMapping } | { readonly tV: number };

/** `schedule`: the model's (`scheduleOf(spec)`); default SD's. */
export function noiseAt<In extends Frame & WithZHat & WithLatent>(opts: NoiseAtOptions, seed = 0, schedule: NoiseSchedule = sdSchedule()): OperatorFunction<Item<In>, Item<In & WithNoised>> {
  return mapFrames('noise-at', (frame: In) => {
    const tV = 'tV' in opts ? opts.tV : tvFromTs(frame.tS, opts.mapping);
    const n = new Float32Array(frame.zHat.data.length);
    Rng.forImage(seed, frame.id, 'noise-at').fillNormal(n);
    const zTv = noiseLatentsAt(frame.zHat, Array<number>(frame.zHat.shape[0] ?? 1).fill(tV), n, schedule);
    return { ...frame, tV, zTv, noise: { shape: frame.zHat.shape, data: n } };
  });
}

/**
 * ẑ_{t_v} = α(t_v,i)·ẑ_i + σ(t_v,i)·n_i for each sample i of a `[B, …]` batch: the one noising of ẑ to the
 * teacher's timestep, used by this operator and by the training step (`tadsr train`, on the stop-gradient ẑ).
 */
export function noiseLatentsAt(zHat: HostTensor, tV: readonly number[], noise: Float32Array, schedule: NoiseSchedule): HostTensor {
  return { shape: zHat.shape, data: applyLinearPerSample(noisingCoefficientsPerSample(tV, schedule), zHat.data, noise) };
}
