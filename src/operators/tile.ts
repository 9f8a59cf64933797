/**
 * `tile({ tile, overlap })` — split each frame's `lq` into overlapping tiles (see {@link planTiles}); every tile
 * travels as its own frame with the same `id`, its `lq` cropped and a `tile` record (where it goes, how many
 * there are, the original frame). Run any per-image graph on the tiles, then {@link untile} blends them back.
 * Every tile goes through the same operators, so every tile honours the same t_s.
 *
 * ```ts
 * frames$.pipe(tile({ tile: 64, overlap: 16 }), encode(b, f, { tS: 500 }), denoise(b, f), decode(b, f), untile())
 * ```
 */
import { type OperatorFunction, from, mergeMap, of } from 'rxjs';
import { type Frame, type FrameFields, type Item, frameError, isFrameError } from '../frame.js';
import { cropImage } from '../image.js';
import { type TileOptions, type TileRect, checkTileOptions, planTiles } from '../tiling/plan.js';

export interface TileInfo<P> {
  readonly rect: TileRect;
  readonly index: number;
  readonly count: number;
  /** Size of the whole input image. */
  readonly width: number;
  readonly height: number;
  /** The frame the tile was cut from. */
  readonly parent: P;
}

export type Tiled<In> = Omit<In, 'lq'> & { readonly lq: FrameFields['lq']; readonly tile: TileInfo<In> };

export function tile<In extends Frame & { readonly lq: FrameFields['lq'] }>(opts: TileOptions): OperatorFunction<Item<In>, Item<Tiled<In>>> {
  checkTileOptions(opts);
  return mergeMap((item: Item<In>) => {
    if (isFrameError(item)) return of(item);
    try {
      const { lq } = item;
      const plan = planTiles(lq.width, lq.height, opts);
      return from(
        plan.tiles.map((rect, index): Tiled<In> => ({
          ...item,
          lq: cropImage(lq, rect.x, rect.y, rect.width, rect.height),
          tile: { rect, index, count: plan.tiles.length, width: lq.width, height: lq.height, parent: item },
        })),
      );
    } catch (err) {
      return of(frameError(item, 'tile', err));
    }
  }, 1);
}
