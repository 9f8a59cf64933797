/**
 * Stable Diffusion 2.1-base noise schedule: 1000 steps, "scaled_linear" betas from 0.00085 to 0.012.
 *
 * β_t = (linspace(√0.00085, √0.012, 1000))², ᾱ_t = ∏_{s≤t}(1 − β_s), α_t = √ᾱ_t, σ_t = √(1 − ᾱ_t).
 * Computed once in float64 (as diffusers does before casting), read by integer timestep.
 *
 * ```ts
 * const { alpha, sigma } = sdSchedule();
 * alpha(500); // ≈ 0.5376
 * ```
 */

/** Number of training timesteps of SD's scheduler. */
export const NUM_TRAIN_TIMESTEPS = 1000;

export interface NoiseSchedule {
  /** ᾱ_t for t = 0..999. */
  readonly alphasCumprod: Float64Array;
  /** √ᾱ_t: how much signal remains at step t. */
  alpha(t: number): number;
  /** √(1 − ᾱ_t): how much noise is mixed in at step t. */
  sigma(t: number): number;
}

export interface ScheduleOptions {
  readonly betaStart?: number;
  readonly betaEnd?: number;
  readonly steps?: number;
}

/** Build the scaled-linear schedule (SD defaults). */
export function scaledLinearSchedule(opts: ScheduleOptions = {}): NoiseSchedule {
  const betaStart = opts.betaStart ?? 0.00085;
  const betaEnd = opts.betaEnd ?? 0.012;
  const steps = opts.steps ?? NUM_TRAIN_TIMESTEPS;
  const a = Math.sqrt(betaStart);
  const b = Math.sqrt(betaEnd);
  const alphasCumprod = new Float64Array(steps);
  let prod = 1;
  for (let i = 0; i < steps; i++) {
    const s = steps === 1 ? a : a + ((b - a) * i) / (steps - 1);
    prod *= 1 - s * s;
    alphasCumprod[i] = prod;
  }
  const check = (t: number): number => {
    if (!Number.isInteger(t) || t < 0 || t >= steps) throw new RangeError(`timestep must be an integer in [0, ${steps - 1}], got ${t}`);
    return t;
  };
  return {
    alphasCumprod,
    alpha: (t) => Math.sqrt(alphasCumprod[check(t)]),
    sigma: (t) => Math.sqrt(1 - alphasCumprod[check(t)]),
  };
}

let cached: NoiseSchedule | undefined;

/** The SD 2.1-base schedule (memoised). */
export function sdSchedule(): NoiseSchedule {
  cached ??= scaledLinearSchedule();
  return cached;
}
