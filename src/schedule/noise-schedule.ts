/**
 * The noise schedule of the model's diffusion process, from its spec (`spec.schedule`, absent: Stable Diffusion's):
 * β_t = (linspace(√β_start, √β_end, T))² ("scaled_linear", SD 1.x/2.x: 0.00085 → 0.012, T = 1000) or
 * linspace(β_start, β_end, T) ("linear"); ᾱ_t = ∏_{s≤t}(1 − β_s), α_t = √ᾱ_t, σ_t = √(1 − ᾱ_t).
 *
 * ᾱ is computed exactly as diffusers builds it (`torch.linspace(..., dtype=float32) ** 2`, `1 − β` in float32,
 * `torch.cumprod` — which accumulates in double and stores float32), so a timestep reads the same ᾱ the authors' code reads (tested against diffusers' own
 * table). Lookups take one integer timestep or a vector of them (one per batch sample).
 *
 * ```ts
 * const s = scheduleOf(spec);       // spec.schedule ?? SD_SCHEDULE
 * s.alpha(500);                     // ≈ 0.5257
 * s.alphas([1, 500, 999]);          // Float64Array, one α per sample
 * ```
 */
import type { NoiseScheduleSpec } from '../models/specs.js';

export type { NoiseScheduleSpec } from '../models/specs.js';

/** Number of training timesteps of SD's scheduler. */
export const NUM_TRAIN_TIMESTEPS = 1000;

/** Stable Diffusion's schedule (1.x and 2.x): the default of every spec without `schedule`. */
export const SD_SCHEDULE: NoiseScheduleSpec = Object.freeze({ betaSchedule: 'scaled_linear', betaStart: 0.00085, betaEnd: 0.012, numTrainTimesteps: NUM_TRAIN_TIMESTEPS });

export interface NoiseSchedule {
  readonly spec: NoiseScheduleSpec;
  /** ᾱ_t for t = 0..T−1 (float32, as diffusers). */
  readonly alphasCumprod: Float32Array;
  /** √ᾱ_t: how much signal remains at step t. */
  alpha(t: number): number;
  /** √(1 − ᾱ_t): how much noise is mixed in at step t. */
  sigma(t: number): number;
  /** α_t per sample of a timestep vector. */
  alphas(ts: readonly number[]): Float64Array;
  /** σ_t per sample of a timestep vector. */
  sigmas(ts: readonly number[]): Float64Array;
}

/** Legacy options of {@link scaledLinearSchedule}. */
export interface ScheduleOptions {
  readonly betaStart?: number;
  readonly betaEnd?: number;
  readonly steps?: number;
}

const f = Math.fround;

/** `torch.linspace(start, end, n, dtype=float32)` (ATen's CPU kernel: from the start up to n/2, from the end after, fused multiply-add). */
function linspaceF32(start: number, end: number, n: number): Float32Array {
  const out = new Float32Array(n);
  if (n === 1) {
    out[0] = start;
    return out;
  }
  const s = f(start);
  const e = f(end);
  const step = f(f(e - s) / (n - 1));
  const half = Math.floor(n / 2);
  // ATen's vectorised kernel fuses the multiply-add (one rounding): the product is exact in double.
  for (let i = 0; i < n; i++) out[i] = i < half ? f(s + step * i) : f(e - step * (n - 1 - i));
  return out;
}

/** Build a schedule from its spec. */
export function buildSchedule(spec: NoiseScheduleSpec): NoiseSchedule {
  const n = spec.numTrainTimesteps;
  const betas = spec.betaSchedule === 'scaled_linear'
    ? linspaceF32(Math.sqrt(spec.betaStart), Math.sqrt(spec.betaEnd), n).map((b) => f(b * b))
    : linspaceF32(spec.betaStart, spec.betaEnd, n);
  const alphasCumprod = new Float32Array(n);
  let prod = 1;
  // torch's CPU cumprod accumulates a float32 tensor in double and stores each partial product as float32.
  for (let i = 0; i < n; i++) {
    prod *= f(1 - betas[i]!);
    alphasCumprod[i] = prod;
  }
  const check = (t: number): number => {
    if (!Number.isInteger(t) || t < 0 || t >= n) throw new RangeError(`timestep must be an integer in [0, ${n - 1}], got ${t}`);
    return t;
  };
  const alpha = (t: number) => Math.sqrt(alphasCumprod[check(t)]!);
  const sigma = (t: number) => Math.sqrt(1 - alphasCumprod[check(t)]!);
  return {
    spec,
    alphasCumprod,
    alpha,
    sigma,
    alphas: (ts) => Float64Array.from(ts, alpha),
    sigmas: (ts) => Float64Array.from(ts, sigma),
  };
}

/** The scaled-linear schedule (SD defaults for absent options). */
export function scaledLinearSchedule(opts: ScheduleOptions = {}): NoiseSchedule {
  return buildSchedule({ betaSchedule: 'scaled_linear', betaStart: opts.betaStart ?? 0.00085, betaEnd: opts.betaEnd ?? 0.012, numTrainTimesteps: opts.steps ?? NUM_TRAIN_TIMESTEPS });
}

const cache = new Map<string, NoiseSchedule>();

/** The schedule of a spec (memoised by value). */
export function noiseSchedule(spec: NoiseScheduleSpec = SD_SCHEDULE): NoiseSchedule {
  const key = `${spec.betaSchedule}:${spec.betaStart}:${spec.betaEnd}:${spec.numTrainTimesteps}`;
  let s = cache.get(key);
  if (!s) cache.set(key, (s = buildSchedule(spec)));
  return s;
}

/** The schedule a model spec declares (`spec.schedule`), or SD's when it declares none. */
export function scheduleOf(spec: { readonly schedule?: NoiseScheduleSpec | undefined }): NoiseSchedule {
  return noiseSchedule(spec.schedule ?? SD_SCHEDULE);
}

/** The SD 1.x/2.x schedule (memoised). */
export function sdSchedule(): NoiseSchedule {
  return noiseSchedule(SD_SCHEDULE);
}
