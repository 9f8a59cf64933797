/**
 * `tiledShared({ tile, overlap, margin, scale, pixelMultiple }, backend, perTile)` — {@link tiled} whose tiles share
 * statistics, so the tiled output matches the whole-image output (the tiled-VAE technique of StableSR /
 * multidiffusion-upscaler, carried through the whole one-step model). The per-tile graph is the same one
 * {@link tiled} runs — `perTile` builds it for a tile from what that tile computes with — but every tile of a
 * frame runs it at once, and:
 *
 * - its `backend` is the tile's lockstep view of the shared one (`lockstepBackends`, src/backends/shared-norm.ts):
 *   each sub-network call waits for every tile's call of the same network, and they run together with every
 *   GroupNorm normalising with the whole image's statistics (each tile counting only the part it owns,
 *   `tileOwnership`) and every spatial self-attention attending over all tiles' owned tokens;
 * - its `colorStats` gives the AdaIN colour fix the whole image's channel statistics (owned parts summed).
 *
 * What remains per tile: the receptive field at tile borders (blended away by the Gaussian weights). A frame of one
 * tile, or a backend without the capability (`sharedNormOf`: the ONNX backend has it, TF.js not), runs the plain
 * {@link tiled} loop with `perTile({ backend })`.
 *
 * Cost: the tiles are all in flight together, so the host holds every tile's live activations between GroupNorm
 * segments — memory grows with the image instead of staying at one tile's — and each GroupNorm segment is one
 * session run per tile (bench/tile-gap.ts).
 *
 * ```ts
 * const perTile = ({ backend, colorStats }: TileCompute) => pipe(oneStep(backend, facts, { tS: 500 }), colorFix('adain', { stats: colorStats }));
 * frames$.pipe(tiledShared({ tile: 128, overlap: 32, margin: 3, scale: 4, pixelMultiple: facts.pixelMultiple }, backend, perTile))
 * ```
 */
import { type Observable, type OperatorFunction, defer, finalize, from, mergeMap, of, range, tap, toArray } from 'rxjs';
import type { Backend } from '../backends/backend.js';
import { type SharedNormOptions, lockstepBackends, sharedNormOf } from '../backends/shared-norm.js';
import { type ChannelStats, type ChannelSums, ownedChannelSums, statsOfSums } from '../color/adain.js';
import { DataError, type Frame, type FrameFields, type Item, isFrameError } from '../frame.js';
import { Lockstep } from '../tiling/lockstep.js';
import { ownedFraction, tileOwnership } from '../tiling/ownership.js';
import { checkTileOptions } from '../tiling/plan.js';
import type { ColorStatsSource } from './color-fix.js';
import type { WithSr } from './tadsr-fields.js';
import { roundUp } from './tensor-image.js';
import { type TileFrameOptions, type Tiled, checkMargin, cutTile } from './tile.js';
import { forEachTilePlan, tiled } from './tiled.js';
import { type UntileOptions, untile } from './untile.js';

type WithLq = Frame & { readonly lq: FrameFields['lq'] };

/** The per-tile graph: a tile frame in, the same frame with its `sr` (`scale`× the tile) out. */
export type TileGraph<In> = OperatorFunction<Item<Tiled<In>>, Item<Tiled<In> & WithSr>>;

/** What one tile computes with. */
export interface TileCompute {
  /** The backend the tile's networks run on (sharing statistics: the tile's lockstep view of it). */
  readonly backend: Backend;
  /** The whole image's AdaIN statistics (sharing statistics only; absent: the tile's own). */
  readonly colorStats?: ColorStatsSource | undefined;
}

export interface SharedTileOptions extends TileFrameOptions, SharedNormOptions {
  /** Output pixels per LQ pixel of the per-tile graph (TADSR: 4). */
  readonly scale: number;
  /** The networks' input side multiple (the per-tile graph pads its input to it; `facts.pixelMultiple`). */
  readonly pixelMultiple: number;
}

type ColorParts = { readonly target: ChannelSums; readonly reference: ChannelSums };
type ColorStats = { readonly target: ChannelStats; readonly reference: ChannelStats };

/** Errors first (as they came), then the tiles in raster order. */
function inTileOrder<T extends { readonly tile: { readonly index: number } }>(items: readonly Item<T & Frame>[]): Item<T & Frame>[] {
  const good = items.filter((t): t is T & Frame => !isFrameError(t));
  return [...items.filter(isFrameError), ...good.sort((a, b) => a.tile.index - b.tile.index)];
}

export function tiledShared<In extends WithLq>(opts: SharedTileOptions, backend: Backend, perTile: (t: TileCompute) => TileGraph<In>): OperatorFunction<Item<In>, Item<In & WithSr>>;
export function tiledShared<In extends WithLq>(opts: SharedTileOptions & UntileOptions<In>, backend: Backend, perTile: (t: TileCompute) => TileGraph<In>): OperatorFunction<Item<In>, Item<In>>;
export function tiledShared<In extends WithLq>(
  opts: SharedTileOptions & Partial<UntileOptions<In>>,
  backend: Backend,
  perTile: (t: TileCompute) => TileGraph<In>,
): OperatorFunction<Item<In>, Item<In | (In & WithSr)>> {
  checkTileOptions(opts);
  checkMargin(opts.margin);
  const sn = sharedNormOf(backend);
  const independent = tiled(opts as TileFrameOptions & UntileOptions<In>, perTile({ backend })) as OperatorFunction<Item<In>, Item<In | (In & WithSr)>>;
  const rows = opts.rows;
  return forEachTilePlan(opts, (item: In, plan): Observable<Item<In | (In & WithSr)>> => {
    if (sn === undefined || plan.tiles.length < 2) return of(item).pipe(independent);
    const n = plan.tiles.length;
    const s = opts.scale;
    const own = tileOwnership(plan, Math.max(1, opts.pixelMultiple / s));
    // owned parts as fractions of each tile's padded network input, and of its output image
    const ownedIn = plan.tiles.map((r, i) => ownedFraction(own[i]!, r, s, roundUp(r.width * s, opts.pixelMultiple), roundUp(r.height * s, opts.pixelMultiple)));
    const ownedOut = plan.tiles.map((r, i) => ownedFraction(own[i]!, r, s, r.width * s, r.height * s));
    const nets = lockstepBackends(backend, sn, ownedIn, opts.attention === undefined ? {} : { attention: opts.attention });
    const colours = new Lockstep<ColorParts, ColorStats>(n, (parts) => {
      const stats = { target: statsOfSums(parts.map((p) => p.target)), reference: statsOfSums(parts.map((p) => p.reference)) };
      return parts.map(() => stats);
    });
    const abort = (err: unknown) => {
      nets.abort(err);
      colours.abort(err);
    };
    const compute = (i: number): TileCompute => ({
      backend: nets.tiles[i]!,
      colorStats: (sr, lqUp) => colours.meet(i, { target: ownedChannelSums(sr, ownedOut[i]!), reference: ownedChannelSums(lqUp, ownedOut[i]!) }),
    });
    const tiles = range(0, n).pipe(
      mergeMap((i) =>
        defer(() => of<Item<Tiled<In>>>(cutTile(item, plan, i, opts.margin))).pipe(
          perTile(compute(i)),
          tap({
            // a failed tile must not leave the others waiting for it
            next: (t) => isFrameError(t) && abort(new DataError(`tile ${i} of ${n} failed: ${t.message}`)),
            error: abort,
            complete: () => {
              nets.leave(i);
              colours.leave(i);
            },
          }),
        ),
      ),
      toArray(), // the tiles finish together; untile wants them in order (errors first, as they came)
      mergeMap((outs) => from(inTileOrder(outs))),
      finalize(() => abort(new Error('the shared tile loop was stopped'))),
    );
    return rows === undefined ? tiles.pipe(untile<In, Tiled<In> & WithSr>()) : tiles.pipe(untile<In, Tiled<In> & WithSr>({ rows }));
  });
}
