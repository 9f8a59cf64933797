/**
 * A loaded TADSR model ready to upscale images of any size: tiles (Gaussian-blended, every tile at the same t_s),
 * colour fix, optional seeded posterior sampling. The per-tile work is the operator chain
 * encode → denoise → decode → colorFix, computed through {@link net-calls} on any {@link Backend}.
 *
 * ```ts
 * const up = await Upscaler.load('models/default', { backend: 'onnx' });
 * const sr = await up.upscale(lq, { tS: 500 });
 * await up.dispose();
 * ```
 */
import type { Backend, HostTensor } from '../backends/backend.js';
import { backendFactory } from '../backends/registry.js';
import { type ColorFixMode, applyColorFix } from '../color/color-fix.js';
import { Rng } from '../random/rng.js';
import { type RgbImage, createImage, cropImage } from '../image.js';
import { type ModelFacts, decodeLatent, emptyContext, encodeLatent, latentSize, unetEps } from '../operators/net-calls.js';
import { imageToTensor, tensorToImage } from '../operators/tensor-image.js';
import { bicubicUpsample } from '../resize/bicubic-upsample.js';
import { type OneStepFormula, applyLinear, oneStepCoefficients } from '../schedule/one-step.js';
import { checkTs } from '../schedule/timesteps.js';
import { scheduleOf } from '../schedule/noise-schedule.js';
import type { RowSink } from '../tiling/blend-accumulator.js';
import { tileImageRows } from '../tiling/tile-image.js';
import { PromptEncoder } from '../text/prompt-encoder.js';
import { type LoadedModel, modelFacts, readModelDir } from './model-dir.js';

export interface UpscaleImageOptions {
  /** Student timestep, integer in [0, 999] (default: the model's, 500). */
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
}

/**
 * A backend that runs the whole one-step student as one graph (the ONNX backend's `runGraph('student')`, see
 * src/backends/onnx/emit.ts): encoder → UNet → decoder stay on the device, only the image crosses.
 */
interface FusedStudent {
  runGraph(net: 'student', inputs: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>>;
}

function fusedStudent(b: Backend): FusedStudent | undefined {
  return typeof (b as Partial<FusedStudent>).runGraph === 'function' ? (b as unknown as FusedStudent) : undefined;
}

/** Bicubic support of PIL (2 px) + 1: LQ margin read around each tile so tiles upsample as the whole image does. */
const MARGIN = 3;

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

  /** One tile (or a whole small image): LQ → SR (×4), colour-fixed. `lqUp` is the reference for the fix. */
  async upscaleTile(lqWithMargin: RgbImage, crop: { x: number; y: number; width: number; height: number }, o: Required<Pick<UpscaleImageOptions, 'tS' | 'colorFix' | 'formula'>> & { noiseKey?: string; seed?: number; context?: HostTensor }): Promise<RgbImage> {
    const s = this.scale;
    const upFull = bicubicUpsample(lqWithMargin, s);
    const lqUp = crop.x === 0 && crop.y === 0 && crop.width === lqWithMargin.width && crop.height === lqWithMargin.height
      ? upFull
      : cropImage(upFull, crop.x * s, crop.y * s, crop.width * s, crop.height * s);
    const x = imageToTensor(lqUp, this.facts.pixelMultiple);
    let noise: Float32Array | undefined;
    if (o.seed !== undefined) {
      noise = new Float32Array(latentSize(this.facts, x.shape[2]!, x.shape[3]!));
      Rng.forImage(o.seed, o.noiseKey ?? 'image', 'posterior').fillNormal(noise);
    }
    const context = o.context ?? (await this.contextFor(undefined));
    const fused = noise === undefined ? fusedStudent(this.backend) : undefined;
    let px: HostTensor;
    if (fused !== undefined) {
      // posterior mean: the whole student in one graph (same maths as the three calls below)
      const { a, b } = oneStepCoefficients(o.formula, o.tS, scheduleOf(this.facts));
      const one = (v: number): HostTensor => ({ shape: [1], data: Float32Array.of(v) });
      const ctx = context ?? emptyContext(this.facts, 1);
      const out = await fused.runGraph('student', { sample: x, timestep: one(o.tS), zCoef: one(a), epsCoef: one(b), ...(ctx ? { encoderHiddenStates: ctx } : {}) });
      px = out['image']!;
    } else {
      const zL = await encodeLatent(this.backend, this.facts, x, o.tS, noise ? { noise } : {});
      const eps = await unetEps(this.backend, this.facts, zL, o.tS, context === undefined ? {} : { context });
      const zHat = { shape: zL.shape, data: applyLinear(oneStepCoefficients(o.formula, o.tS, scheduleOf(this.facts)), zL.data, eps.data) };
      px = await decodeLatent(this.backend, this.facts, zHat);
    }
    const sr = tensorToImage(px, lqUp.width, lqUp.height);
    return applyColorFix(o.colorFix, sr, lqUp);
  }

  /** Stream the output rows of a whole image of any size (tiles blended) to `sink`. */
  async upscaleRows(lq: RgbImage, opts: UpscaleImageOptions, sink: RowSink): Promise<void> {
    const m = this.model.manifest;
    const tS = checkTs(opts.tS ?? m.defaultTs);
    const context = await this.contextFor(opts.prompt);
    const common = {
      tS,
      colorFix: opts.colorFix ?? m.colorFix,
      formula: opts.formula ?? m.formula,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(context !== undefined ? { context } : {}),
    };
    const tile = opts.tile ?? 128;
    const overlap = opts.overlap ?? Math.min(32, Math.floor(tile / 4));
    await tileImageRows(lq, { tile, overlap }, this.scale, async (_t, r, index, count) => {
      const x0 = Math.max(0, r.x - MARGIN);
      const y0 = Math.max(0, r.y - MARGIN);
      const x1 = Math.min(lq.width, r.x + r.width + MARGIN);
      const y1 = Math.min(lq.height, r.y + r.height + MARGIN);
      const withMargin = cropImage(lq, x0, y0, x1 - x0, y1 - y0);
      const out = await this.upscaleTile(withMargin, { x: r.x - x0, y: r.y - y0, width: r.width, height: r.height }, { ...common, noiseKey: `${opts.id ?? 'image'}#${index}` });
      opts.onTile?.(index, count);
      return out;
    }, sink);
  }

  /** Upscale a whole image into memory. */
  async upscale(lq: RgbImage, opts: UpscaleImageOptions = {}): Promise<RgbImage> {
    const W = lq.width * this.scale;
    const data = new Float32Array(W * lq.height * this.scale * 3);
    await this.upscaleRows(lq, opts, (y, row) => data.set(row, y * W * 3));
    return createImage(W, lq.height * this.scale, data);
  }

  async dispose(): Promise<void> {
    await this.backend.dispose();
  }
}
