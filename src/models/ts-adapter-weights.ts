/**
 * The t_s adapter's data types (the logic is in `ts-adapter.ts`; these sit apart so `params.ts` can name them
 * without importing that module).
 */
import type { WeightMap } from './param-maps.js';

/** Where the adapter ramps in: off at t_s ≤ `from`, fully on at t_s ≥ `to` (integers, 0 ≤ from < to ≤ 999). */
export interface TsGate {
  readonly from: number;
  readonly to: number;
}

/** An adapter's gate and its deltas per network (names as in `ts-adapter.ts`, relative to the network: `conv_in.delta.weight`). */
export interface TsAdapterWeights {
  readonly gate: TsGate;
  readonly unet: WeightMap;
  readonly vae: WeightMap;
}
