/**
 * `tiled({ tile, overlap, margin }, perTile)` — run a per-tile graph over every tile of each frame's `lq` and blend
 * the outputs back (Gaussian weights): {@link tile} → `perTile` → {@link untile}, except that each tile is cut
 * only when the previous one is done, so memory holds one tile and a band of output rows, whatever the image
 * size. This is the tile loop of `tadsr upscale` and of the GAN peers; {@link tileImageRows} is the same loop for
 * a plain function over one image.
 *
 * ```ts
 * frames$.pipe(tiled({ tile: 128, overlap: 32, margin: 3 }, pipe(oneStep(b, facts, { tS: 500 }), colorFix('adain'))))
 * ```
 */
import { type Observable, type OperatorFunction, concatMap, defer, lastValueFrom, of, range } from 'rxjs';
import { DataError, type Frame, type FrameFields, type Item, frameError, isFrameError } from '../frame.js';
import { type RgbImage, createImage } from '../image.js';
import type { RowSink } from '../tiling/blend-accumulator.js';
import { type TileRect, checkTileOptions, planTiles, type TilePlan } from '../tiling/plan.js';
import { mergeMapFrames } from './frame-operator.js';
import type { WithSr } from './tadsr-fields.js';
import { type TileFrameOptions, type Tiled, checkMargin, cutTile } from './tile.js';
import { type UntileOptions, untile } from './untile.js';

type WithLq = Frame & { readonly lq: FrameFields['lq'] };
type PerTile<In> = OperatorFunction<Item<Tiled<In>>, Item<Tiled<In> & WithSr>>;

export function tiled<In extends WithLq>(opts: TileFrameOptions, perTile: PerTile<In>): OperatorFunction<Item<In>, Item<In & WithSr>>;
export function tiled<In extends WithLq>(opts: TileFrameOptions & UntileOptions<In>, perTile: PerTile<In>): OperatorFunction<Item<In>, Item<In>>;
export function tiled<In extends WithLq>(opts: TileFrameOptions & Partial<UntileOptions<In>>, perTile: PerTile<In>): OperatorFunction<Item<In>, Item<In | (In & WithSr)>> {
  checkTileOptions(opts);
  checkMargin(opts.margin);
  const rows = opts.rows;
  return forEachTilePlan(opts, (item: In, plan) => {
    const tiles = range(0, plan.tiles.length).pipe(concatMap((i) => defer(() => of<Item<Tiled<In>>>(cutTile(item, plan, i, opts.margin))).pipe(perTile)));
    return rows === undefined ? tiles.pipe(untile<In, Tiled<In> & WithSr>()) : tiles.pipe(untile<In, Tiled<In> & WithSr>({ rows }));
  });
}

/**
 * One frame at a time (in order): its tile plan, then `withPlan(frame, plan)`'s stream; frame errors pass through
 * and a frame whose size cannot be tiled becomes its error. The frame loop of {@link tiled} and `tiledShared`.
 */
export function forEachTilePlan<In extends WithLq, Out extends Frame>(opts: TileFrameOptions, withPlan: (item: In, plan: TilePlan) => Observable<Item<Out>>): OperatorFunction<Item<In>, Item<In> | Item<Out>> {
  return concatMap((item: Item<In>): Observable<Item<In> | Item<Out>> => {
    if (isFrameError(item)) return of(item);
    let plan: TilePlan;
    try {
      plan = planTiles(item.lq.width, item.lq.height, opts);
    } catch (err) {
      return of(frameError(item, 'tile', err));
    }
    return withPlan(item, plan);
  });
}

export type TileFunction = (tile: RgbImage, rect: TileRect, index: number, count: number) => Promise<RgbImage> | RgbImage;

/**
 * Stream the blended output rows of `fn` over the tiles of `img` to `sink` ({@link tiled} with a function per
 * tile). `fn` must return a tile `scale`× its input; a {@link DataError} it throws is rethrown.
 */
export async function tileImageRows(img: RgbImage, opts: TileFrameOptions, scale: number, fn: TileFunction, sink: RowSink): Promise<void> {
  const perTile = mergeMapFrames('tile-function', async (t: Tiled<{ id: string; lq: RgbImage }>) => {
    const out = await fn(t.lq, t.tile.rect, t.tile.index, t.tile.count);
    const ow = t.tile.rect.width * scale;
    const oh = t.tile.rect.height * scale;
    if (out.width !== ow || out.height !== oh) throw new Error(`tile function returned ${out.width}x${out.height}, expected ${ow}x${oh}`);
    return { ...t, sr: out };
  });
  await runFrame({ id: 'image', lq: img }, tiled({ ...opts, rows: () => sink }, perTile));
}

/** Run `graph` on one frame and return what comes out; a {@link FrameError} out is rethrown as a {@link DataError}. */
export async function runFrame<In extends Frame, Out extends Frame>(frame: In, graph: OperatorFunction<Item<In>, Item<Out>>): Promise<Out> {
  const out = await lastValueFrom(of<Item<In>>(frame).pipe(graph));
  if (isFrameError(out)) throw new DataError(out.message);
  return out;
}

/** A `width`×`height` image filled by `produce` through a row sink (as `untile({ rows })` / `upscaleRows` stream them). */
export async function collectRows(width: number, height: number, produce: (sink: RowSink) => Promise<void>, bitDepth?: 8 | 16): Promise<RgbImage> {
  const data = new Float32Array(width * height * 3);
  await produce((y, row) => data.set(row, y * width * 3));
  return createImage(width, height, data, bitDepth);
}

/** Like {@link tileImageRows}, collecting the output into one image. */
export async function tileImage(img: RgbImage, opts: TileFrameOptions, scale: number, fn: TileFunction): Promise<RgbImage> {
  return collectRows(img.width * scale, img.height * scale, (sink) => tileImageRows(img, opts, scale, fn, sink), img.bitDepth);
}
