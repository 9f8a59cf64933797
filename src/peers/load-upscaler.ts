/**
 * The one hook where `--model X` is loaded for inference (`tadsr upscale`, `tadsr eval-model`, the peer
 * benchmarks): a GAN peer name or folder (see {@link resolvePeerModel}) gives a {@link PeerUpscaler}, anything
 * else a TADSR model folder through {@link Upscaler.load}.
 *
 * ```ts
 * const up = await loadUpscaler('realesr-general-x4v3');   // or 'models/default'
 * const sr = await up.upscale(lq, { tS: 500 });           // tS ignored by peers (up.ignoresTs)
 * ```
 */
import type { BackendInfo } from '../backends/backend.js';
import { type UpscaleImageOptions, Upscaler, type UpscalerLoadOptions } from '../graphs/upscaler.js';
import type { RgbImage } from '../image.js';
import type { PromptEncoder } from '../text/prompt-encoder.js';
import type { RowSink } from '../tiling/blend-accumulator.js';
import { resolvePeerModel } from './peer-dir.js';
import { PeerUpscaler } from './peer-upscaler.js';

/** What the inference graphs need of a loaded model: the TADSR {@link Upscaler} and {@link PeerUpscaler} both are one. */
export interface ImageUpscaler {
  readonly scale: number;
  readonly backend: { readonly info: BackendInfo };
  /** True for GAN peers: t_s, colour fix, formula and seed do not apply. */
  readonly ignoresTs?: boolean;
  /** The prompt encoder of a TADSR model with a text encoder (`null` or absent: no prompts). */
  readonly prompts?: PromptEncoder | null;
  upscaleRows(lq: RgbImage, opts: UpscaleImageOptions, sink: RowSink): Promise<void>;
  upscale(lq: RgbImage, opts?: UpscaleImageOptions): Promise<RgbImage>;
  dispose(): Promise<void>;
}

/** Load `model` (a TADSR model folder, a peer folder, or a known peer name) for inference. */
export async function loadUpscaler(model: string, opts: UpscalerLoadOptions = {}): Promise<ImageUpscaler> {
  const peer = resolvePeerModel(model);
  if (peer !== undefined) return PeerUpscaler.load(peer, opts.backend !== undefined ? { backend: opts.backend } : {});
  return Upscaler.load(model, opts);
}
