/**
 * `degrade(config?, seed?)` — turn each frame's `hq` image into a Real-ESRGAN training pair: a random
 * `gt_size²` crop becomes the new `hq` (images smaller than the crop are first reflect-101 padded at the
 * bottom/right, as BasicSR does), `lq` is its second-order degradation at `gt_size/scale`, and `degradation`
 * records every sampled parameter (the manifest line of `tadsr degrade`).
 *
 * Reproducible: the draws depend only on `(seed, frame.id)` and the pixels, never on order or concurrency.
 * `config` is a (partial) {@link DegradationConfig}, validated and completed with defaults; an invalid
 * config throws at once (a usage error). Runs in this thread; `degradeDataset()` spreads the same work
 * over worker threads.
 *
 * ```ts
 * listImages('photos/').pipe(readImages('hq'), degrade({ gt_size: 256 }, 7), writeImages('out/lq', 'lq'))
 * ```
 */
import type { OperatorFunction } from 'rxjs';
import type { Has, Item } from '../frame.js';
import { type DegradationConfig, parseDegradationConfig } from '../degradation/config.js';
import { type DegradationRecord, degradeImage } from '../degradation/pipeline.js';
import { mergeMapFrames } from './frame-operator.js';

export type Degraded<F> = Omit<F, 'hq' | 'lq'> & Has<'hq' | 'lq'> & { readonly degradation: DegradationRecord };

export function degrade<In extends Has<'hq'>>(
  config: Partial<DegradationConfig> | DegradationConfig = {},
  seed = 0,
  concurrency = 1,
): OperatorFunction<Item<In>, Item<Degraded<In>>> {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`degrade: seed must be a non-negative integer, got ${seed}`);
  const cfg = parseDegradationConfig(config);
  return mergeMapFrames('degrade', async (frame: In) => {
    const { hq, lq, record } = await degradeImage(frame.hq, cfg, seed, frame.id);
    return { ...frame, hq, lq, degradation: record } as Degraded<In>;
  }, concurrency);
}
