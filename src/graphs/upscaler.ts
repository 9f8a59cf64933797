/**
 * A loaded TADSR model ready to upscale images of any size: a façade over {@link upscaleGraph} (tiles,
 * Gaussian-blended, every tile at the same t_s → `oneStep` = encode → denoise → decode, or the backend's fused
 * graph → `colorFix`), with the model's defaults (t_s, formula, colour fix) and its prompt encoder.
 *
 * ```ts
 * const up = await Upscaler.load('models/default', { backend: 'onnx' });
 * const sr = await up.upscale(lq, { tS: 500 });
 * await up.dispose();
 * ```
 */
import type { Backend, HostTensor } from '../backends/backend.js';
import { backendFactory } from '../backends/registry.js';
import type { ColorFixMode } from '../color/color-fix.js';
import type { RgbImage } from '../image.js';
import { collectRows, runFrame } from '../operators/tiled.js';
import type { ModelFacts } from '../operators/net-calls.js';
import type { OneStepFormula } from '../schedule/one-step.js';
import { checkTs } from '../schedule/timesteps.js';
import type { RowSink } from '../tiling/blend-accumulator.js';
import { PromptEncoder } from '../text/prompt-encoder.js';
import { type LoadedModel, modelFacts, readModelDir } from './model-dir.js';
import { upscaleGraph } from './upscale-graph.js';

export interface UpscaleImageOptions {
  /** Student timestep, integer in [0, 999] (default: the model's `defaultTs`; models/default: 300). */
  readonly tS?: number;
  /** LQ tile side in pixels (default 128); images up to this size run whole. */
  readonly tile?: number;
  /** LQ tile overlap in pixels (default 32). */
  readonly overlap?: number;
  readonly colorFix?: ColorFixMode;
  /** Override the model's one-step formula. */
  readonly formula?: OneStepFormula;
  /** Seed a posterior *sample* (official behaviour, made reproducible); absent: the posterior mean. */
  readonly seed?: number;
  /** Id for seeding per image (default `image`). */
  readonly id?: string;
  /** Called after each tile. */
  readonly onTile?: (index: number, count: number) => void;
  /**
   * The whole prompt for this image (see `officialPrompt`: `"{tags}, {user prompt},"`), for a model with a text
   * encoder; absent: the empty prompt "" (its real embedding, computed once per model). A model without a text
   * encoder rejects a prompt.
   */
  readonly prompt?: string;
  /**
   * Tiles share GroupNorm, self-attention and colour-fix statistics: {@link upscaleGraph}'s per-tile graph runs on
   * all tiles at once (`tiledShared`, src/operators/tiled-shared.ts), so the tiled output matches the whole image's;
   * needs a backend with the capability (ONNX), else tiles run independently. Off by default (`upscale
   * --shared-norm` turns it on): the host then holds every tile's activations between layers (models/default:
   * 52 MiB for a 384² output, 208 MiB for 768²) and the per-segment ONNX Runtime sessions' arenas, which double the
   * process's peak RSS (+1.3 GB at a 1024² output, tile 128), for 1.1–1.4× the time (bench/shared-norm-cost.ts,
   * README "Tiling"). Outputs above {@link SHARED_NORM_AUTO_MAX_PIXELS} always tile independently.
   */
  readonly sharedNorm?: boolean;
}

/** Largest output (pixels) that may share statistics across tiles: 1024² (host memory grows with it). */
export const SHARED_NORM_AUTO_MAX_PIXELS = 1024 * 1024;

export interface UpscalerLoadOptions {
  /** Backend name from the registry (default `onnx`). */
  readonly backend?: string;
  readonly variant?: string;
}

export class Upscaler {
  readonly facts: ModelFacts;
  readonly scale = 4;

  constructor(
    readonly backend: Backend,
    readonly model: Pick<LoadedModel, 'manifest'>,
    /** The model's prompt encoder (`null`: no text encoder; the UNet gets the fixed zero condition, if any). */
    readonly prompts: PromptEncoder | null = null,
  ) {
    this.facts = modelFacts(model.manifest.spec);
  }

  /**
   * The UNet condition for `prompt` (`undefined`: the empty prompt for a model with a text encoder, the fixed zero
   * condition for one without).
   */
  async contextFor(prompt: string | undefined): Promise<HostTensor | undefined> {
    if (this.prompts === null) {
      if (prompt !== undefined) throw new Error('this model has no text encoder: it cannot read a prompt or tags (export one with its text_encoder and tokenizer)');
      return undefined;
    }
    return this.prompts.encode(prompt ?? '');
  }

  /** Load a model directory onto a backend. */
  static async load(dir: string, opts: UpscalerLoadOptions = {}): Promise<Upscaler> {
    const model = await readModelDir(dir);
    const factory = await backendFactory(opts.backend ?? 'onnx');
    const backend = await factory.create(model.manifest.spec, model.weights, opts.variant ? { variant: opts.variant } : {});
    const prompts = model.manifest.spec.text === undefined ? null : await PromptEncoder.fromModel(backend, dir, model.manifest.files);
    return new Upscaler(backend, model, prompts);
  }

  /** Stream the output rows of a whole image of any size (tiles blended) to `sink`: {@link upscaleGraph} on one frame. */
  async upscaleRows(lq: RgbImage, opts: UpscaleImageOptions, sink: RowSink): Promise<void> {
    const m = this.model.manifest;
    const tS = checkTs(opts.tS ?? m.defaultTs);
    const context = await this.contextFor(opts.prompt);
    const tile = opts.tile ?? 128;
    const overlap = opts.overlap ?? Math.min(32, Math.floor(tile / 4));
    const shared = opts.sharedNorm === true && lq.width * lq.height * this.scale * this.scale <= SHARED_NORM_AUTO_MAX_PIXELS;
    const graph = upscaleGraph(this.backend, this.facts, {
      tS,
      formula: opts.formula ?? m.formula,
      colorFix: opts.colorFix ?? m.colorFix,
      tile,
      overlap,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      rows: () => sink,
      ...(shared ? { sharedNorm: {} } : {}),
      ...(opts.onTile ? { onTile: (_id: string, index: number, count: number) => opts.onTile!(index, count) } : {}),
    });
    const frame = { id: opts.id ?? 'image', lq, ...(context !== undefined ? { context } : {}) };
    await runFrame(frame, graph);
  }

  /** Upscale a whole image into memory. */
  async upscale(lq: RgbImage, opts: UpscaleImageOptions = {}): Promise<RgbImage> {
    return collectRows(lq.width * this.scale, lq.height * this.scale, (sink) => this.upscaleRows(lq, opts, sink));
  }

  async dispose(): Promise<void> {
    await this.backend.dispose();
  }
}
