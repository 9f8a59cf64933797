/**
 * `colorFix(mode)` — correct the colour of `sr` toward `lqUp` (the LQ image upsampled to the output size):
 * `adain` (official default: channel mean/std), `wavelet` (OSEDiff: keep SR's high frequencies, LQ's low ones)
 * or `none`.
 *
 * `colorFix('adain', { stats })` takes the channel statistics from `stats` instead of the frame alone: the tiles of
 * one image sharing statistics (src/operators/tiled-shared.ts) pass the whole image's, so every tile gets the
 * colour of the whole-image fix. The other modes are local and ignore `stats`.
 *
 * ```ts
 * frames$.pipe(decode(b, f), colorFix('adain'))
 * ```
 */
import type { OperatorFunction } from 'rxjs';
import { type ChannelStats, adainWithStats } from '../color/adain.js';
import { type ColorFixMode, applyColorFix } from '../color/color-fix.js';
import type { Frame, Item } from '../frame.js';
import type { RgbImage } from '../image.js';
import { mapFrames, mergeMapFrames } from './frame-operator.js';
import type { WithLqUp, WithSr } from './tadsr-fields.js';

/** The AdaIN statistics to use for a frame's `sr` (`target`) and `lqUp` (`reference`). */
export type ColorStatsSource = (sr: RgbImage, lqUp: RgbImage) => Promise<{ readonly target: ChannelStats; readonly reference: ChannelStats }>;

export interface ColorFixOptions {
  /** Where `adain` takes its statistics from (absent: the frame's own `sr` and `lqUp`). */
  readonly stats?: ColorStatsSource;
}

export function colorFix<In extends Frame & WithSr & WithLqUp>(mode: ColorFixMode, opts: ColorFixOptions = {}): OperatorFunction<Item<In>, Item<In>> {
  const stats = mode === 'adain' ? opts.stats : undefined;
  if (stats !== undefined) {
    return mergeMapFrames('color-fix', async (frame: In) => {
      const { target, reference } = await stats(frame.sr, frame.lqUp);
      return { ...frame, sr: adainWithStats(frame.sr, target, reference) };
    });
  }
  return mapFrames('color-fix', (frame: In) => (mode === 'none' ? frame : { ...frame, sr: applyColorFix(mode, frame.sr, frame.lqUp) }));
}
