/**
 * `score(backend, facts, { context })` — the two scores TAVSD compares at ẑ_{t_v}: the frozen teacher
 * (`teacherUnet`, classifier-free guidance 7.5 + t_v/200 when a conditional and an unconditional embedding are
 * given, plain otherwise) and the fake score (`unet`, the student backend's UNet + its LoRA, no guidance); each
 * turned into an x0 prediction (z_t − σ_t ε)/α_t → `x0Teacher`, `x0Fake`.
 *
 * With tadsr's fixed empty-prompt embedding, conditional = unconditional, and guidance is an identity: it is
 * skipped (one teacher call instead of two).
 *
 * ```ts
 * frames$.pipe(noiseAt({ mapping: OFFICIAL_TIME_MAPPING }), score(teacher, facts, { fake: student }))
 * ```
 */
import type { OperatorFunction } from 'rxjs';
import type { Backend, HostTensor } from '../backends/backend.js';
import type { Frame, Item } from '../frame.js';
import { cfgScale } from '../schedule/guidance.js';
import { applyLinear, x0Coefficients } from '../schedule/one-step.js';
import { scheduleOf } from '../schedule/noise-schedule.js';
import { mergeMapFrames } from './frame-operator.js';
import { type ModelFacts, unetEps } from './net-calls.js';
import type { WithNoised, WithScores } from './tadsr-fields.js';

export interface ScoreOptions {
  /** Backend whose `unet` is the fake score (the student's, with its LoRA). */
  readonly fake: Backend;
  /** Conditional and unconditional (negative-prompt) embeddings for CFG; absent: the fixed empty embedding. */
  readonly guidance?: { readonly cond: HostTensor; readonly uncond: HostTensor };
}

/** ε_u + s·(ε_c − ε_u). */
export function guide(epsUncond: Float32Array, epsCond: Float32Array, s: number): Float32Array {
  return epsUncond.map((u, i) => u + s * (epsCond[i]! - u));
}

export function score<In extends Frame & WithNoised>(teacher: Backend, facts: ModelFacts, opts: ScoreOptions): OperatorFunction<Item<In>, Item<In & WithScores>> {
  return mergeMapFrames('score', async (frame: In) => {
    const { zTv, tV } = frame;
    let epsT: Float32Array;
    if (opts.guidance) {
      const c = await unetEps(teacher, facts, zTv, tV, { net: 'teacherUnet', context: opts.guidance.cond });
      const u = await unetEps(teacher, facts, zTv, tV, { net: 'teacherUnet', context: opts.guidance.uncond });
      epsT = guide(u.data, c.data, cfgScale(tV));
    } else {
      epsT = (await unetEps(teacher, facts, zTv, tV, { net: 'teacherUnet' })).data;
    }
    const epsF = (await unetEps(opts.fake, facts, zTv, tV, { net: 'unet' })).data;
    const k = x0Coefficients(tV, scheduleOf(facts));
    return {
      ...frame,
      x0Teacher: { shape: zTv.shape, data: applyLinear(k, zTv.data, epsT) },
      x0Fake: { shape: zTv.shape, data: applyLinear(k, zTv.data, epsF) },
    };
  });
}
