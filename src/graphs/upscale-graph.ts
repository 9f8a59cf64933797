/**
 * The graph `tadsr upscale` runs on every image (and `eval-model`, the queue workers, `Upscaler.upscale` — all
 * through {@link Upscaler}): tiles of the LQ image, each through the one-step student and the colour fix, blended
 * back and streamed as rows. With `sharedNorm` the same per-tile graph runs on all tiles at once, sharing
 * statistics ({@link tiledShared}). The region between the `#region` markers is shown verbatim in the README
 * (`test/graphs/readme-graph.test.ts` keeps the two equal), so the README's graph is the code that runs.
 *
 * ```ts
 * await lastValueFrom(of({ id: 'photo', lq }).pipe(upscaleGraph(backend, facts, { tS: 500, formula: 'ddpm-x0',
 *   colorFix: 'adain', tile: 128, overlap: 32, rows: () => (y, rgb) => out.set(rgb, y * W * 3) })));
 * ```
 */
import { type OperatorFunction, pipe, tap } from 'rxjs';
import type { Backend } from '../backends/backend.js';
import type { ColorFixMode } from '../color/color-fix.js';
import { type Frame, type FrameFields, type Item, isFrameError } from '../frame.js';
import { colorFix } from '../operators/color-fix.js';
import { posteriorNoise } from '../operators/encode.js';
import type { ModelFacts } from '../operators/net-calls.js';
import { oneStep } from '../operators/one-step.js';
import type { WithContext } from '../operators/tadsr-fields.js';
import { tiled } from '../operators/tiled.js';
import { type TileCompute, type TileGraph, tiledShared } from '../operators/tiled-shared.js';
import type { SharedNormOptions } from '../backends/shared-norm.js';
import type { OneStepFormula } from '../schedule/one-step.js';
import type { RowSink } from '../tiling/blend-accumulator.js';

/** Bicubic support of PIL (2 px) + 1: LQ margin read around each tile so tiles upsample as the whole image does. */
export const BICUBIC_MARGIN = 3;

export interface UpscaleGraphOptions {
  /** Student timestep, integer in [0, 999]. */
  readonly tS: number;
  readonly formula: OneStepFormula;
  readonly colorFix: ColorFixMode;
  /** LQ tile side and overlap in pixels (images up to `tile` run whole). */
  readonly tile: number;
  readonly overlap: number;
  /** Seed a posterior *sample* (`--seed`); absent: the posterior mean. */
  readonly seed?: number;
  /** Where each image's blended output rows go (interleaved RGB in [0, 1]). */
  readonly rows: (frame: Frame) => RowSink;
  /** Called after each tile. */
  readonly onTile?: (id: string, index: number, count: number) => void;
  /**
   * Tiles share GroupNorm, self-attention and colour-fix statistics ({@link tiledShared}), so the tiled output
   * matches the whole image's (needs a backend with the capability, `sharedNormOf`; else tiles run on their own);
   * absent: each tile on its own ({@link tiled}).
   */
  readonly sharedNorm?: SharedNormOptions;
}

/** Frames with an LQ image and, for a model with a text encoder, the UNet condition of its prompt. */
export type UpscaleFrame = Frame & { readonly lq: FrameFields['lq'] } & Partial<WithContext>;

// #region upscale-graph
export function upscaleGraph<In extends UpscaleFrame>(backend: Backend, facts: ModelFacts, o: UpscaleGraphOptions): OperatorFunction<Item<In>, Item<In>> {
  const noise = o.seed === undefined ? undefined : posteriorNoise(o.seed);
  const perTile = ({ backend, colorStats }: TileCompute): TileGraph<In> =>
    pipe(
      oneStep(backend, facts, { tS: o.tS, formula: o.formula, noise }), // encode(t_s) → denoise → decode (or one fused graph)
      colorFix(o.colorFix, { stats: colorStats }), // toward the bicubic ×4 of the tile (sharing statistics: of the image)
      tap((t) => isFrameError(t) || o.onTile?.(t.id, t.tile.index, t.tile.count)),
    );
  const tiles = { tile: o.tile, overlap: o.overlap, margin: BICUBIC_MARGIN, rows: o.rows };
  return o.sharedNorm === undefined
    ? tiled<In>(tiles, perTile({ backend })) // one tile at a time, each on its own
    : tiledShared<In>({ ...tiles, ...o.sharedNorm, scale: 4, pixelMultiple: facts.pixelMultiple }, backend, perTile); // all tiles at once, sharing statistics
}
// #endregion upscale-graph
