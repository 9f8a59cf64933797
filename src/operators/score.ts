/**
 * `score(backend, facts, { context })` — the two scores TAVSD compares at ẑ_{t_v}: the frozen teacher
 * (`teacherUnet`, classifier-free guidance 7.5 + t_v/200 when a conditional and an unconditional embedding are
 * given, plain otherwise) and the fake score (`unet` of the `fake` backend: the student's UNet + its LoRA, or in
 * training the fake score's LoRA; no guidance); each turned into an x0 prediction (z_t − σ_t ε)/α_t → `x0Teacher`,
 * `x0Fake`.
 *
 * One implementation for inference graphs and training: `tadsr train` runs the same plan of calls as this
 * operator (`scoresPlan`) with its teacher's backend (ONNX or TF.js, `teacherBackend`), its fake score as a
 * backend, a timestep per sample and, when the config gives a prompt, the guidance embeddings — awaited
 * ({@link scoresAt}), or inside a TF.js gradient tape ({@link scoresAtSync}) when both backends answer synchronously.
 *
 * With tadsr's fixed empty-prompt embedding, conditional = unconditional, and guidance is an identity: it is
 * skipped (one teacher call instead of two).
 *
 * ```ts
 * frames$.pipe(noiseAt({ mapping: OFFICIAL_TIME_MAPPING }), score(teacher, facts, { fake: student }))
 * const { x0Teacher, x0Fake } = await scoresAt(teacher, facts, zTv, [250, 40], { fake, guidance: { cond, uncond } });
 * ```
 */
import type { OperatorFunction } from 'rxjs';
import type { Backend, HostTensor } from '../backends/backend.js';
import type { Frame, Item } from '../frame.js';
import { cfgScale } from '../schedule/guidance.js';
import { applyLinearPerSample, x0CoefficientsPerSample } from '../schedule/one-step.js';
import { scheduleOf } from '../schedule/noise-schedule.js';
import { mergeMapFrames } from './frame-operator.js';
import { type ModelFacts, type NetPlan, runPlan, runPlanSync, unetCall } from './net-calls.js';
import type { WithNoised, WithScores } from './tadsr-fields.js';

/** Conditional (prompt) and unconditional (negative prompt) embeddings, `[1, T, D]` (any batch) or `[B, T, D]`. */
export interface Guidance {
  readonly cond: HostTensor;
  readonly uncond: HostTensor;
}

export interface ScoreOptions {
  /** Backend whose `unet` is the fake score (the student's, with its LoRA). */
  readonly fake: Backend;
  /** Conditional and unconditional (negative-prompt) embeddings for CFG; absent: the fixed empty embedding. */
  readonly guidance?: Guidance;
}

/** ε_u + s·(ε_c − ε_u); `s` one scale, or one per sample (batch rows of `epsUncond.length / s.length` values). */
export function guide(epsUncond: Float32Array, epsCond: Float32Array, s: number | ArrayLike<number>): Float32Array {
  const scales = typeof s === 'number' ? [s] : s;
  if (epsUncond.length !== epsCond.length || scales.length === 0 || epsUncond.length % scales.length !== 0) {
    throw new RangeError(`guide: ${epsUncond.length} and ${epsCond.length} values for ${scales.length} scales`);
  }
  const row = epsUncond.length / scales.length;
  return epsUncond.map((u, i) => {
    const sj = scales[Math.floor(i / row)]!;
    return u + sj * (epsCond[i]! - u);
  });
}

/** A condition for a batch of `batch`: `[1, T, D]` repeated, `[batch, T, D]` as is. */
function forBatch(c: HostTensor, batch: number): HostTensor {
  const b = c.shape[0]!;
  if (b === batch) return c;
  if (b !== 1) throw new RangeError(`a guidance embedding of batch ${b} for a batch of ${batch}`);
  const data = new Float32Array(c.data.length * batch);
  for (let i = 0; i < batch; i++) data.set(c.data, i * c.data.length);
  return { shape: [batch, ...c.shape.slice(1)], data };
}

/**
 * The frozen teacher's ε at `zTv` `[B, C, h, w]` and t_v (one, or one per sample): with `guidance`, CFG at the
 * scale of each sample's t_v ({@link cfgScale}, two teacher calls); without, one call on the fixed condition.
 */
function* teacherPlan(teacher: Backend, facts: ModelFacts, zTv: HostTensor, tVs: readonly number[], guidance?: Guidance): NetPlan<Float32Array> {
  const B = zTv.shape[0]!;
  if (!guidance) return (yield unetCall(teacher, facts, zTv, tVs, { net: 'teacherUnet' })).data;
  const c = yield unetCall(teacher, facts, zTv, tVs, { net: 'teacherUnet', context: forBatch(guidance.cond, B) });
  const u = yield unetCall(teacher, facts, zTv, tVs, { net: 'teacherUnet', context: forBatch(guidance.uncond, B) });
  return guide(u.data, c.data, tVs.map(cfgScale));
}

/** x0 of the teacher (CFG as {@link teacherScore}) and of the fake score at `zTv`: the plan both runners run. */
function* scoresPlan(teacher: Backend, facts: ModelFacts, zTv: HostTensor, tV: number | readonly number[], opts: ScoreOptions): NetPlan<WithScores> {
  const tVs = perSample(tV, zTv.shape[0]!);
  const epsT = yield* teacherPlan(teacher, facts, zTv, tVs, opts.guidance);
  const epsF = (yield unetCall(opts.fake, facts, zTv, tVs, { net: 'unet' })).data;
  const k = x0CoefficientsPerSample(tVs, scheduleOf(facts));
  return {
    x0Teacher: { shape: zTv.shape, data: applyLinearPerSample(k, zTv.data, epsT) },
    x0Fake: { shape: zTv.shape, data: applyLinearPerSample(k, zTv.data, epsF) },
  };
}

const perSample = (t: number | readonly number[], batch: number): readonly number[] => (typeof t === 'number' ? Array<number>(batch).fill(t) : t);

/** The teacher's ε at `zTv` (CFG with `guidance`), t_v one or one per sample. */
export function teacherScore(teacher: Backend, facts: ModelFacts, zTv: HostTensor, tV: number | readonly number[], guidance?: Guidance): Promise<Float32Array> {
  return runPlan(teacherPlan(teacher, facts, zTv, perSample(tV, zTv.shape[0]!), guidance));
}

/** x0 of the teacher (CFG as {@link teacherScore}) and of the fake score at `zTv`, t_v one or one per sample. */
export function scoresAt(teacher: Backend, facts: ModelFacts, zTv: HostTensor, tV: number | readonly number[], opts: ScoreOptions): Promise<WithScores> {
  return runPlan(scoresPlan(teacher, facts, zTv, tV, opts));
}

/** {@link scoresAt}, synchronously: both backends must offer `runSync` (see {@link canScoreSync}). */
export function scoresAtSync(teacher: Backend, facts: ModelFacts, zTv: HostTensor, tV: number | readonly number[], opts: ScoreOptions): WithScores {
  return runPlanSync(scoresPlan(teacher, facts, zTv, tV, opts));
}

/** Whether {@link scoresAtSync} can run with these backends. */
export function canScoreSync(teacher: Backend, opts: ScoreOptions): boolean {
  return teacher.runSync !== undefined && opts.fake.runSync !== undefined;
}

export function score<In extends Frame & WithNoised>(teacher: Backend, facts: ModelFacts, opts: ScoreOptions): OperatorFunction<Item<In>, Item<In & WithScores>> {
  return mergeMapFrames('score', async (frame: In) => ({ ...frame, ...(await scoresAt(teacher, facts, frame.zTv, frame.tV, opts)) }));
}
