/**
 * The timesteps TADSR uses: the student's t_s, the teacher's t_v = λ·t_s + γ, and their validation.
 *
 * ```ts
 * OFFICIAL_TS[0];            // 1
 * OFFICIAL_TS[49];           // 999
 * tvFromTs(500);             // 250 (λ = 0.5, γ = 0)
 * parseTs('500');            // 500; parseTs('1000') throws a UsageError-style RangeError
 * ```
 */
import { NUM_TRAIN_TIMESTEPS } from './noise-schedule.js';

/** `floor(linspace(1, 999, 50))`: the 50 values t_s is drawn from in training (1, 21, 41, …, 999). */
export const OFFICIAL_TS: readonly number[] = Object.freeze(
  Array.from({ length: 50 }, (_, i) => Math.floor(1 + (998 * i) / 49)),
);

/** Paper's default inference t_s (Table 1). */
export const DEFAULT_TS = 500;

export interface TimeMapping {
  /** Slope λ (official 0.5). */
  readonly lambda: number;
  /** Offset γ (official 0). */
  readonly gamma: number;
}

export const OFFICIAL_TIME_MAPPING: TimeMapping = { lambda: 0.5, gamma: 0 };

/** t_v = λ·t_s + γ, rounded down to an integer and clamped to [0, 999]. */
export function tvFromTs(tS: number, mapping: TimeMapping = OFFICIAL_TIME_MAPPING): number {
  const tv = Math.floor(mapping.lambda * tS + mapping.gamma);
  return Math.min(NUM_TRAIN_TIMESTEPS - 1, Math.max(0, tv));
}

/** Throw a clear RangeError unless `tS` is an integer in [0, 999]. Returns it. */
export function checkTs(tS: number): number {
  if (!Number.isInteger(tS) || tS < 0 || tS > NUM_TRAIN_TIMESTEPS - 1) {
    throw new RangeError(`t_s must be an integer in [0, ${NUM_TRAIN_TIMESTEPS - 1}], got ${tS}`);
  }
  return tS;
}

/** Parse a t_s given as text (CLI); throws a RangeError naming the value when it is not an integer in range. */
export function parseTs(text: string): number {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) throw new RangeError(`t_s must be an integer in [0, ${NUM_TRAIN_TIMESTEPS - 1}], got "${text}"`);
  return checkTs(Number(trimmed));
}
