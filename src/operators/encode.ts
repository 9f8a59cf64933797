/**
 * `encode(backend, facts, { tS })` — upsample the LQ image ×`scale` (bicubic, PIL convention), map to [−1, 1],
 * pad to the size the networks take, and encode with the time-aware encoder at t_s (the plain VAE encoder when
 * the TAE is off) → `zL` (posterior mean × scaling factor; a seeded posterior sample when `noise` is given),
 * `tS`, and `lqUp` (the upsampled image, kept as the colour-fix reference).
 *
 * ```ts
 * frames$.pipe(encode(backend, facts, { tS: 500 }), denoise(backend, facts), decode(backend, facts))
 * ```
 */
import type { OperatorFunction } from 'rxjs';
import type { Backend } from '../backends/backend.js';
import { DataError, type Frame, type FrameFields, type Item } from '../frame.js';
import { bicubicUpsample } from '../resize/bicubic-upsample.js';
import { checkTs } from '../schedule/timesteps.js';
import { mergeMapFrames } from './frame-operator.js';
import { type ModelFacts, encodeLatent, latentSize } from './net-calls.js';
import type { WithLatent, WithLqUp } from './tadsr-fields.js';
import { imageToTensor } from './tensor-image.js';

export interface EncodeOptions {
  /** Student timestep t_s, integer in [0, 999]. */
  readonly tS: number;
  /** Upsampling factor before encoding (default 4). */
  readonly scale?: number;
  /** Use the time-aware encoder (default: when the model has one). */
  readonly tae?: boolean;
  /** Seeded standard-normal noise source for a posterior sample; absent: posterior mean. */
  readonly noise?: (id: string, length: number) => Float32Array;
}

export function encode<In extends Frame & { readonly lq: FrameFields['lq'] }>(
  backend: Backend,
  facts: ModelFacts,
  opts: EncodeOptions,
): OperatorFunction<Item<In>, Item<In & WithLqUp & WithLatent>> {
  const tS = checkTs(opts.tS);
  const scale = opts.scale ?? 4;
  return mergeMapFrames('encode', async (frame: In) => {
    if (frame.lq.width < 1 || frame.lq.height < 1) throw new DataError('empty LQ image');
    const lqUp = bicubicUpsample(frame.lq, scale);
    const x = imageToTensor(lqUp, facts.pixelMultiple);
    const latentLength = latentSize(facts, x.shape[2]!, x.shape[3]!);
    const noise = opts.noise?.(frame.id, latentLength);
    const zL = await encodeLatent(backend, facts, x, tS, { tae: opts.tae, noise });
    return { ...frame, lqUp, zL, tS };
  });
}
