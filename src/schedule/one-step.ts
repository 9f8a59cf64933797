/**
 * The one-step formulas that turn the student's noise prediction into a clean latent ẑ, and the x0 predictor the
 * scores use. Two named forms, switchable, because the paper and the authors' code differ:
 *
 * - `ddpm-x0` (paper): ẑ = (z − σ_t·ε) / α_t
 * - `official` (zty557/TADSR code): ẑ = z / α_t − ε   (equal to PiSA-SR's z − ε at t = 1; differs at large t)
 *
 * Pure arithmetic on scalars (α, σ) so it can be applied to any tensor type by the caller; these helpers return
 * the coefficients `ẑ = a·z + b·ε`, for one timestep or per sample of a timestep vector (`…PerSample`, what
 * training uses: the official code draws t_s, t_v and the fake-score t per sample). Each takes the model's
 * schedule (`scheduleOf(spec)`); absent: SD's.
 *
 * ```ts
 * const { a, b } = oneStepCoefficients('ddpm-x0', 500); // ẑ = a·z + b·ε
 * const per = oneStepCoefficientsPerSample('official', [1, 999], scheduleOf(spec)); // per.a[i], per.b[i]
 * ```
 */
import { type NoiseSchedule, sdSchedule } from './noise-schedule.js';

export type OneStepFormula = 'ddpm-x0' | 'official';

export const ONE_STEP_FORMULAS: readonly OneStepFormula[] = ['ddpm-x0', 'official'];

export interface LinearCoefficients {
  /** Coefficient of the noisy/encoded latent z. */
  readonly a: number;
  /** Coefficient of the predicted noise ε. */
  readonly b: number;
}

/** Coefficients of ẑ = a·z + b·ε for the named formula at integer timestep t. */
export function oneStepCoefficients(formula: OneStepFormula, t: number, s: NoiseSchedule = sdSchedule()): LinearCoefficients {
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
export function x0Coefficients(t: number, s: NoiseSchedule = sdSchedule()): LinearCoefficients {
  return oneStepCoefficients('ddpm-x0', t, s);
}

/** Coefficients of z_t = α_t·x0 + σ_t·ε (forward noising). */
export function noisingCoefficients(t: number, s: NoiseSchedule = sdSchedule()): { readonly alpha: number; readonly sigma: number } {
  return { alpha: s.alpha(t), sigma: s.sigma(t) };
}

/** Per-sample coefficients: `a[i]`, `b[i]` belong to sample i (a linear map per batch row). */
export interface PerSampleCoefficients {
  readonly a: Float64Array;
  readonly b: Float64Array;
}

/** ẑ_i = a_i·z_i + b_i·ε_i for the named formula at each sample's timestep `ts[i]`. */
export function oneStepCoefficientsPerSample(formula: OneStepFormula, ts: readonly number[], s: NoiseSchedule = sdSchedule()): PerSampleCoefficients {
  const c = ts.map((t) => oneStepCoefficients(formula, t, s));
  return { a: Float64Array.from(c, (x) => x.a), b: Float64Array.from(c, (x) => x.b) };
}

/** x0_i = (z_i − σ_i ε_i)/α_i at each sample's timestep (the scores' x0, ε-prediction). */
export function x0CoefficientsPerSample(ts: readonly number[], s: NoiseSchedule = sdSchedule()): PerSampleCoefficients {
  return oneStepCoefficientsPerSample('ddpm-x0', ts, s);
}

/** z_i = α_i·x0_i + σ_i·n_i at each sample's timestep (`a` = α, `b` = σ). */
export function noisingCoefficientsPerSample(ts: readonly number[], s: NoiseSchedule = sdSchedule()): PerSampleCoefficients {
  return { a: s.alphas(ts), b: s.sigmas(ts) };
}

/**
 * Apply a per-sample linear map `out_i = a_i·z_i + b_i·ε_i` on flat `[B, …]` arrays (host side; batch rows of
 * `z.length / B` values each).
 */
export function applyLinearPerSample(c: PerSampleCoefficients, z: Float32Array, eps: Float32Array): Float32Array {
  if (z.length !== eps.length) throw new RangeError(`z has ${z.length} values, ε has ${eps.length}`);
  const B = c.a.length;
  if (B === 0 || z.length % B !== 0) throw new RangeError(`${z.length} values do not split into ${B} samples`);
  const row = z.length / B;
  const out = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) {
    const j = Math.floor(i / row);
    out[i] = c.a[j]! * z[i]! + c.b[j]! * eps[i]!;
  }
  return out;
}

/** Apply ẑ = a·z + b·ε elementwise on flat arrays (host-side helper for the inference path). */
export function applyLinear(c: LinearCoefficients, z: Float32Array, eps: Float32Array): Float32Array {
  if (z.length !== eps.length) throw new RangeError(`z has ${z.length} values, ε has ${eps.length}`);
  const out = new Float32Array(z.length);
  for (let i = 0; i < z.length; i++) out[i] = c.a * z[i] + c.b * eps[i];
  return out;
}
