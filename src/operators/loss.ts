/**
 * `loss({ tS-aware blurred MSE, TAVSD, perceptual })` — the student's loss terms for frames that carry `hq` and
 * the decoded `sr` (and, for TAVSD, `zHat` with the two x0 scores): reported as numbers in `losses`, for
 * evaluation and analysis graphs. Training computes the same functions inside a gradient tape
 * (`src/graphs/train.ts`).
 *
 * ```ts
 * frames$.pipe(decode(b, f), loss({ weights: { mse: 1, tavsd: 1 } }))
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OperatorFunction } from 'rxjs';
import type { HostTensor } from '../backends/backend.js';
import { DataError, type Frame, type FrameFields, type Item } from '../frame.js';
import { blurredMse } from '../losses/blurred-mse.js';
import { imageToNchw } from '../losses/image-nchw.js';
import { tavsdLoss } from '../losses/tavsd.js';
import { mapFrames } from './frame-operator.js';
import type { WithLatent, WithScores, WithSr, WithZHat } from './tadsr-fields.js';

export interface LossWeights {
  readonly mse?: number;
  readonly lpips?: number;
  readonly tavsd?: number;
}

export interface LossOptions {
  readonly weights?: LossWeights;
  /** Perceptual distance on [−1, 1] NCHW images (LPIPS, when its weights are given by path). */
  readonly perceptual?: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Scalar;
}

export interface LossTerms {
  readonly mse: number;
  readonly lpips?: number;
  readonly tavsd?: number;
  readonly total: number;
}

/** RGB image in [0, 1] → NCHW `[1, 3, H, W]` tensor in [−1, 1] (defined beside the losses that take it). */
export { imageToNchw };

function toTensor(t: HostTensor): tf.Tensor4D {
  return tf.tensor4d(t.data, t.shape as [number, number, number, number]);
}

type LossIn = Frame & { readonly hq: FrameFields['hq'] } & WithSr & WithLatent & Partial<WithZHat & WithScores>;

export function loss<In extends LossIn>(opts: LossOptions = {}): OperatorFunction<Item<In>, Item<In & { readonly losses: LossTerms }>> {
  const w = { mse: 1, lpips: 2, tavsd: 1, ...opts.weights };
  return mapFrames('loss', (frame: In) => {
    if (frame.sr.width !== frame.hq.width || frame.sr.height !== frame.hq.height) {
      throw new DataError(`sr is ${frame.sr.width}x${frame.sr.height} but hq is ${frame.hq.width}x${frame.hq.height}`);
    }
    const terms = tf.tidy(() => {
      const sr = imageToNchw(frame.sr);
      const hq = imageToNchw(frame.hq);
      const mse = blurredMse(sr, hq, frame.tS).dataSync()[0]!;
      const lp = opts.perceptual ? opts.perceptual(sr, hq).dataSync()[0]! : undefined;
      const tv = frame.zHat && frame.x0Teacher && frame.x0Fake
        ? tavsdLoss(toTensor(frame.zHat), toTensor(frame.x0Teacher), toTensor(frame.x0Fake)).dataSync()[0]!
        : undefined;
      return { mse, lp, tv };
    });
    const total = w.mse * terms.mse + (terms.lp !== undefined ? w.lpips * terms.lp : 0) + (terms.tv !== undefined ? w.tavsd * terms.tv : 0);
    const losses: LossTerms = {
      mse: terms.mse,
      ...(terms.lp !== undefined ? { lpips: terms.lp } : {}),
      ...(terms.tv !== undefined ? { tavsd: terms.tv } : {}),
      total,
    };
    return { ...frame, losses };
  });
}
