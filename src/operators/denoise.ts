/**
 * `denoise(backend, facts, { formula })` — one UNet step at the frame's t_s: ε = F(z_L, t_s, c), then ẑ by the
 * named one-step formula (`ddpm-x0`: (z − σε)/α, the paper; `official`: z/α − ε, the authors' code) → `zHat`.
 *
 * ```ts
 * frames$.pipe(encode(b, facts, { tS: 500 }), denoise(b, facts, { formula: 'official' }))
 * ```
 */
import type { OperatorFunction } from 'rxjs';
import type { Backend } from '../backends/backend.js';
import type { Frame, Item } from '../frame.js';
import { type OneStepFormula, applyLinear, oneStepCoefficients } from '../schedule/one-step.js';
import { scheduleOf } from '../schedule/noise-schedule.js';
import { mergeMapFrames } from './frame-operator.js';
import { type ModelFacts, unetEps } from './net-calls.js';
import type { WithContext, WithLatent, WithZHat } from './tadsr-fields.js';

export interface DenoiseOptions {
  /** Default `ddpm-x0`. */
  readonly formula?: OneStepFormula;
}

/** Uses the frame's `context` (from `encodePrompt`) when it has one, else the model's fixed empty condition. */
export function denoise<In extends Frame & WithLatent & Partial<WithContext>>(
  backend: Backend,
  facts: ModelFacts,
  opts: DenoiseOptions = {},
): OperatorFunction<Item<In>, Item<In & WithZHat>> {
  const formula = opts.formula ?? 'ddpm-x0';
  return mergeMapFrames('denoise', async (frame: In) => {
    const eps = await unetEps(backend, facts, frame.zL, frame.tS, frame.context === undefined ? {} : { context: frame.context });
    const zHat = { shape: frame.zL.shape, data: applyLinear(oneStepCoefficients(formula, frame.tS, scheduleOf(facts)), frame.zL.data, eps.data) };
    return { ...frame, zHat };
  });
}
