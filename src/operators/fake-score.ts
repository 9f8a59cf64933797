/**
 * `fakeScore(trainer, facts, { seed })` — the fake score's update as an operator: per frame, noise the constant ẑ
 * to the fake score's own timestep of each sample, z_t = α_t·sg(ẑ) + σ_t·n (n standard normal, seeded by
 * (seed, frame id)), and hand (z_t, t, n) to a {@link FakeScoreTrainer}, which takes one optimiser step on the
 * diffusion loss MSE(ε_φ(z_t, t), n) → `fakeLoss`, `fakeGradNorm`.
 *
 * One implementation: `tadsr train` runs {@link updateFakeScore} (what this operator runs per frame) after the
 * student's update, with the step's batch as one frame (`id` = `step-N`) and the TF.js distillation nets as the
 * trainer (src/graphs/training/fake-score.ts). The trainer is the training backend's part (gradients, optimiser);
 * the noising, the noise and the timesteps are decided here.
 *
 * ```ts
 * frames$.pipe(denoise(b, facts), fakeScore(trainer, facts, { seed: 7 }))   // frames carry zHat and tFake
 * const { loss, gradNorm } = await updateFakeScore(trainer, facts, zHat, [311, 42], { seed: 0, id: 'step-3' });
 * ```
 */
import type { OperatorFunction } from 'rxjs';
import type { HostTensor } from '../backends/backend.js';
import type { Frame, Item } from '../frame.js';
import { Rng } from '../random/rng.js';
import { scheduleOf } from '../schedule/noise-schedule.js';
import { applyLinearPerSample, noisingCoefficientsPerSample } from '../schedule/one-step.js';
import { mergeMapFrames } from './frame-operator.js';
import type { ModelFacts } from './net-calls.js';
import type { WithZHat } from './tadsr-fields.js';

export interface FakeScoreUpdate {
  /** The diffusion loss before the update. */
  readonly loss: number;
  /** Norm of the LoRA gradient (before clipping). */
  readonly gradNorm: number;
}

/** A trainable fake score (a training backend's part): one optimiser step on MSE(ε_φ(z_t, t), noise). */
export interface FakeScoreTrainer {
  step(zt: HostTensor, t: readonly number[], noise: HostTensor): Promise<FakeScoreUpdate> | FakeScoreUpdate;
}

/** The fake score's own timestep: one for the frame's batch or one per sample. */
export interface WithFakeT {
  readonly tFake: number | readonly number[];
}

export interface WithFakeUpdate {
  readonly fakeLoss: number;
  readonly fakeGradNorm: number;
}

/**
 * One update of the fake score on the constant latents `zHat` `[B, C, h, w]` at timesteps `t` (per sample), with
 * noise drawn from the (seed, id, `fake-noise`) stream.
 */
export async function updateFakeScore(
  trainer: FakeScoreTrainer,
  facts: ModelFacts,
  zHat: HostTensor,
  t: number | readonly number[],
  noiseFrom: { readonly seed: number; readonly id: string },
): Promise<FakeScoreUpdate> {
  const B = zHat.shape[0]!;
  const ts = typeof t === 'number' ? Array<number>(B).fill(t) : [...t];
  if (ts.length !== B) throw new RangeError(`${ts.length} fake-score timesteps for a batch of ${B}`);
  const n = new Float32Array(zHat.data.length);
  Rng.forImage(noiseFrom.seed, noiseFrom.id, 'fake-noise').fillNormal(n);
  const zt = applyLinearPerSample(noisingCoefficientsPerSample(ts, scheduleOf(facts)), zHat.data, n);
  return trainer.step({ shape: zHat.shape, data: zt }, ts, { shape: zHat.shape, data: n });
}

export function fakeScore<In extends Frame & WithZHat & WithFakeT>(trainer: FakeScoreTrainer, facts: ModelFacts, opts: { readonly seed: number }): OperatorFunction<Item<In>, Item<In & WithFakeUpdate>> {
  return mergeMapFrames('fake-score', async (frame: In) => {
    const r = await updateFakeScore(trainer, facts, frame.zHat, frame.tFake, { seed: opts.seed, id: frame.id });
    return { ...frame, fakeLoss: r.loss, fakeGradNorm: r.gradNorm };
  });
}
