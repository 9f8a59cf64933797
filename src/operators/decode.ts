/**
 * `decode(backend, facts)` — VAE-decode ẑ to pixels, crop the padding away (to `lqUp`'s size) and map to
 * [0, 1] → `sr`.
 *
 * ```ts
 * frames$.pipe(encode(b, f, { tS: 500 }), denoise(b, f), decode(b, f), writeImages('out', 'sr'))
 * ```
 */
import type { OperatorFunction } from 'rxjs';
import type { Backend } from '../backends/backend.js';
import type { Frame, Item } from '../frame.js';
import { mergeMapFrames } from './frame-operator.js';
import { type ModelFacts, decodeLatent } from './net-calls.js';
import type { WithLqUp, WithSr, WithZHat } from './tadsr-fields.js';
import { tensorToImage } from './tensor-image.js';
import type { RgbImage } from '../image.js';
import type { HostTensor } from '../backends/backend.js';

/** The decoder's pixels `[1, 3, H', W']` in [−1, 1] as `sr`: cropped to `lqUp`'s size (the padding dropped), [0, 1]. */
export function pixelsToSr(px: HostTensor, lqUp: RgbImage): RgbImage {
  return tensorToImage(px, lqUp.width, lqUp.height);
}

export function decode<In extends Frame & WithZHat & WithLqUp>(
  backend: Backend,
  facts: ModelFacts,
): OperatorFunction<Item<In>, Item<Omit<In, 'sr'> & WithSr>> {
  return mergeMapFrames('decode', async (frame: In) => {
    const px = await decodeLatent(backend, facts, frame.zHat);
    return { ...frame, sr: pixelsToSr(px, frame.lqUp) };
  });
}
