/**
 * `encode(backend, facts, { tS })` — upsample the LQ image ×`scale` (bicubic, PIL convention), map to [−1, 1],
 * pad to the size the networks take, and encode with the time-aware encoder at t_s (the plain VAE encoder when
 * the TAE is off) → `zL` (posterior mean × scaling factor; a seeded posterior sample when `noise` is given),
 * `tS`, and `lqUp` (the upsampled image, kept as the colour-fix reference). A tile frame with context pixels
 * (`lqCrop`, see `tile({ margin })`) is upsampled whole and cropped to its part, so tiles upsample as the whole
 * image does.
 *
 * ```ts
 * frames$.pipe(encode(backend, facts, { tS: 500 }), denoise(backend, facts), decode(backend, facts))
 * ```
 */
import type { OperatorFunction } from 'rxjs';
import type { Backend, HostTensor } from '../backends/backend.js';
import { DataError, type Frame, type FrameFields, type Item } from '../frame.js';
import type { RgbImage } from '../image.js';
import { Rng } from '../random/rng.js';
import { bicubicUpsample } from '../resize/bicubic-upsample.js';
import { checkTs } from '../schedule/timesteps.js';
import { mergeMapFrames } from './frame-operator.js';
import { type ModelFacts, encodeLatent, latentSize } from './net-calls.js';
import type { WithLatent, WithLqUp } from './tadsr-fields.js';
import { imageToTensor } from './tensor-image.js';
import { type LqCrop, cropToTile } from './tile.js';

export interface EncodeOptions {
  /** Student timestep t_s, integer in [0, 999]. */
  readonly tS: number;
  /** Upsampling factor before encoding (default 4). */
  readonly scale?: number;
  /** Use the time-aware encoder (default: when the model has one). */
  readonly tae?: boolean;
  /** Seeded standard-normal noise source for a posterior sample (e.g. {@link posteriorNoise}); absent: posterior mean. */
  readonly noise?: (id: string, length: number, frame: Frame) => Float32Array;
}

/**
 * The posterior-sample noise of `tadsr upscale --seed`: standard normal from the seeded stream of the frame's id and
 * tile (`id#index`; a frame that is not a tile is tile 0).
 */
export function posteriorNoise(seed: number): (id: string, length: number, frame: Frame) => Float32Array {
  return (id, length, frame) => {
    const index = (frame as { tile?: { index: number } }).tile?.index ?? 0;
    const n = new Float32Array(length);
    Rng.forImage(seed, `${id}#${index}`, 'posterior').fillNormal(n);
    return n;
  };
}

/** The encoder input of a frame: `lq` bicubic-upsampled ×`scale` (cropped to `lqCrop`) and as a padded NCHW tensor. */
export function encoderInput(frame: { readonly lq: RgbImage; readonly lqCrop?: LqCrop }, facts: ModelFacts, scale: number): { lqUp: RgbImage; x: HostTensor } {
  if (frame.lq.width < 1 || frame.lq.height < 1) throw new DataError('empty LQ image');
  const lqUp = cropToTile(bicubicUpsample(frame.lq, scale), frame, scale);
  return { lqUp, x: imageToTensor(lqUp, facts.pixelMultiple) };
}

export function encode<In extends Frame & { readonly lq: FrameFields['lq']; readonly lqCrop?: LqCrop }>(
  backend: Backend,
  facts: ModelFacts,
  opts: EncodeOptions,
): OperatorFunction<Item<In>, Item<In & WithLqUp & WithLatent>> {
  const tS = checkTs(opts.tS);
  const scale = opts.scale ?? 4;
  return mergeMapFrames('encode', async (frame: In) => {
    const { lqUp, x } = encoderInput(frame, facts, scale);
    const noise = opts.noise?.(frame.id, latentSize(facts, x.shape[2]!, x.shape[3]!), frame);
    const zL = await encodeLatent(backend, facts, x, tS, { tae: opts.tae, noise });
    return { ...frame, lqUp, zL, tS };
  });
}
