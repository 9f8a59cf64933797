/**
 * `colorFix(mode)` — correct the colour of `sr` toward `lqUp` (the LQ image upsampled to the output size):
 * `adain` (official default: channel mean/std), `wavelet` (OSEDiff: keep SR's high frequencies, LQ's low ones)
 * or `none`.
 *
 * ```ts
 * frames$.pipe(decode(b, f), colorFix('adain'))
 * ```
 */
import type { OperatorFunction } from 'rxjs';
import { type ColorFixMode, applyColorFix } from '../color/color-fix.js';
import type { Frame, Item } from '../frame.js';
import { mapFrames } from './frame-operator.js';
import type { WithLqUp, WithSr } from './tadsr-fields.js';

export function colorFix<In extends Frame & WithSr & WithLqUp>(mode: ColorFixMode): OperatorFunction<Item<In>, Item<In>> {
  return mapFrames('color-fix', (frame: In) => (mode === 'none' ? frame : { ...frame, sr: applyColorFix(mode, frame.sr, frame.lqUp) }));
}
