/**
 * The one-step formulas that turn the student's noise prediction into a clean latent ẑ, and the x0 predictor the
 * scores use. Two named forms, switchable, because the paper and the authors' code differ:
 *
 * - `ddpm-x0` (paper): ẑ = (z − σ_t·ε) / α_t
 * - `official` (zty557/TADSR code): ẑ = z / α_t − ε   (equal to PiSA-SR's z − ε at t = 1; differs at large t)
 *
 * Pure arithmetic on scalars (α, σ) so it can be applied to any tensor type by the caller; these helpers return
 * the coefficients `ẑ = a·z + b·ε`.
 *
 * ```ts
 * const { a, b } = oneStepCoefficients('ddpm-x0', 500); // ẑ = a·z + b·ε
 * ```
 */
import { sdSchedule } from './noise-schedule.js';

export type OneStepFormula = 'ddpm-x0' | 'official';

export const ONE_STEP_FORMULAS: readonly OneStepFormula[] = ['ddpm-x0', 'official'];

export interface LinearCoefficients {
  /** Coefficient of the noisy/encoded latent z. */
  readonly a: number;
  /** Coefficient of the predicted noise ε. */
  readonly b: number;
}

/** Coefficients of ẑ = a·z + b·ε for the named formula at integer timestep t. */
export function oneStepCoefficients(formula: OneStepFormula, t: number): LinearCoefficients {
  const s = sdSchedule();
  const alpha = s.alpha(t);
  switch (formula) {
    case 'ddpm-x0':
      return { a: 1 / alpha, b: -s.sigma(t) / alpha };
    case 'official':
      return { a: 1 / alpha, b: -1 };
    default:
      throw new Error(`unknown one-step formula ${String(formula)}`);
  }
}

/** x0 = (z_t − σ_t·ε)/α_t, the DDPM x0 prediction the teacher and fake scores use (ε-prediction). */
export function x0Coefficients(t: number): LinearCoefficients {
  return oneStepCoefficients('ddpm-x0', t);
}

/** Coefficients of z_t = α_t·x0 + σ_t·ε (forward noising). */
export function noisingCoefficients(t: number): { readonly alpha: number; readonly sigma: number } {
  const s = sdSchedule();
  return { alpha: s.alpha(t), sigma: s.sigma(t) };
}

/** Apply ẑ = a·z + b·ε elementwise on flat arrays (host-side helper for the inference path). */
export function applyLinear(c: LinearCoefficients, z: Float32Array, eps: Float32Array): Float32Array {
  if (z.length !== eps.length) throw new RangeError(`z has ${z.length} values, ε has ${eps.length}`);
  const out = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = c.a * z[i] + c.b * eps[i];
  return out;
}
