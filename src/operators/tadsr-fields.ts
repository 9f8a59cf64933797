/**
 * The frame fields TADSR's operators add, as intersection types (the base {@link Frame} stays small):
 *
 * - `lqUp` — the LQ image bicubic-upsampled to the output size (the encoder input and the colour-fix reference)
 * - `zL`, `tS` — the encoded latent and the student timestep
 * - `zHat` — the one-step clean latent
 * - `tV`, `zTv`, `noise` — the teacher timestep, ẑ noised to it, the noise used
 * - `x0Teacher`, `x0Fake` — the x0 predictions of the teacher (CFG) and the fake score at ẑ_{t_v}
 * - `prompt`, `context` — the frame's prompt and the UNet condition made of it (`encodePrompt`)
 */
import type { HostTensor } from '../backends/backend.js';
import type { RgbImage } from '../image.js';

export interface WithLqUp {
  readonly lqUp: RgbImage;
}
export interface WithLatent {
  readonly zL: HostTensor;
  readonly tS: number;
}
export interface WithZHat {
  readonly zHat: HostTensor;
}
export interface WithNoised {
  readonly tV: number;
  readonly zTv: HostTensor;
  readonly noise: HostTensor;
}
export interface WithScores {
  readonly x0Teacher: HostTensor;
  readonly x0Fake: HostTensor;
}
export interface WithContext {
  readonly prompt: string;
  /** `[1, T, crossAttentionDim]` (the text encoder's `last_hidden_state`), or null for a UNet without cross-attention. */
  readonly context: HostTensor | null;
}
export interface WithSr {
  readonly sr: RgbImage;
}
