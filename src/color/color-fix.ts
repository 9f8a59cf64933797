/**
 * Colour fix after decoding, by name: `adain` (official default), `wavelet` (OSEDiff option) or `none`.
 *
 * ```ts
 * applyColorFix('adain', sr, lqUpsampled);
 * ```
 */
import type { RgbImage } from '../image.js';
import { adainColorFix } from './adain.js';
import { waveletColorFix } from './wavelet.js';

export type ColorFixMode = 'adain' | 'wavelet' | 'none';

export const COLOR_FIX_MODES: readonly ColorFixMode[] = ['adain', 'wavelet', 'none'];

/** Apply the named colour fix of `target` toward `reference` (the LQ image upsampled to the output size). */
export function applyColorFix(mode: ColorFixMode, target: RgbImage, reference: RgbImage): RgbImage {
  switch (mode) {
    case 'adain':
      return adainColorFix(target, reference);
    case 'wavelet':
      return waveletColorFix(target, reference);
    case 'none':
      return target;
    default:
      throw new RangeError(`unknown colour fix "${String(mode)}" (use adain, wavelet or none)`);
  }
}

/** Parse a CLI colour-fix name with a clear message. */
export function parseColorFix(text: string): ColorFixMode {
  if ((COLOR_FIX_MODES as readonly string[]).includes(text)) return text as ColorFixMode;
  throw new RangeError(`--color-fix must be one of ${COLOR_FIX_MODES.join(', ')}, got "${text}"`);
}
