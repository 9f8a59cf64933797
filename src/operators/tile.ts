/**
 * `tile({ tile, overlap, margin })` — split each frame's `lq` into overlapping tiles (see {@link planTiles}); every
 * tile travels as its own frame with the same `id`, its `lq` cropped and a `tile` record (where it goes, how many
 * there are, the original frame). Run any per-image graph on the tiles, then {@link untile} blends them back.
 * Every tile goes through the same operators, so every tile honours the same t_s.
 *
 * With `margin` > 0 each tile's `lq` also carries up to `margin` LQ pixels of context on every side (fewer at the
 * image border) and `lqCrop` says which part of it the tile stands for: `encode` upsamples the whole `lq` and keeps
 * only `lqCrop` (so tiles upsample as the whole image does), a network that needs context crops its output with
 * {@link cropToTile}. {@link tiled} is the lazy form (one tile cut and run at a time) that `tadsr upscale` uses;
 * both cut tiles with {@link cutTile}.
 *
 * ```ts
 * frames$.pipe(tile({ tile: 64, overlap: 16 }), encode(b, f, { tS: 500 }), denoise(b, f), decode(b, f), untile())
 * ```
 */
import { type OperatorFunction, from, mergeMap, of } from 'rxjs';
import { type Frame, type FrameFields, type Item, frameError, isFrameError } from '../frame.js';
import { type RgbImage, cropImage } from '../image.js';
import { type TileOptions, type TilePlan, type TileRect, checkTileOptions, planTiles } from '../tiling/plan.js';

export interface TileInfo<P> {
  readonly rect: TileRect;
  readonly index: number;
  readonly count: number;
  /** Size of the whole input image. */
  readonly width: number;
  readonly height: number;
  /** After this tile, every input row above this one is final (the next tile starts a new row); absent: not yet. */
  readonly flushTo?: number;
  /** The frame the tile was cut from. */
  readonly parent: P;
}

/** The part of a frame's `lq` that the frame stands for, in LQ pixels relative to `lq` (the rest is context). */
export interface LqCrop {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export type Tiled<In> = Omit<In, 'lq' | 'lqCrop'> & Frame & {
  readonly lq: FrameFields['lq'];
  readonly tile: TileInfo<In>;
  /** Present when the tile's `lq` carries context pixels around `tile.rect` (see `margin`). */
  readonly lqCrop?: LqCrop;
};

export interface TileFrameOptions extends TileOptions {
  /** LQ pixels of context read around each tile (default 0); see the module doc. */
  readonly margin?: number;
}

/** Tile `index` of `plan` cut from `frame`'s `lq` (with up to `margin` context pixels on each side). */
export function cutTile<In extends Frame & { readonly lq: FrameFields['lq'] }>(frame: In, plan: TilePlan, index: number, margin = 0): Tiled<In> {
  const { lq } = frame;
  const r = plan.tiles[index]!;
  const next = plan.tiles[index + 1];
  const flushTo = next === undefined ? lq.height : next.row !== r.row ? next.y : undefined;
  const x0 = Math.max(0, r.x - margin);
  const y0 = Math.max(0, r.y - margin);
  const x1 = Math.min(lq.width, r.x + r.width + margin);
  const y1 = Math.min(lq.height, r.y + r.height + margin);
  const whole = x0 === 0 && y0 === 0 && x1 === lq.width && y1 === lq.height;
  const crop: LqCrop = { x: r.x - x0, y: r.y - y0, width: r.width, height: r.height };
  const hasContext = crop.x !== 0 || crop.y !== 0 || crop.width !== x1 - x0 || crop.height !== y1 - y0;
  return {
    ...frame,
    lq: whole ? lq : cropImage(lq, x0, y0, x1 - x0, y1 - y0),
    tile: { rect: r, index, count: plan.tiles.length, width: lq.width, height: lq.height, ...(flushTo !== undefined ? { flushTo } : {}), parent: frame },
    ...(hasContext ? { lqCrop: crop } : {}),
  };
}

/**
 * `img` (made from a frame's `lq` ×`scale`, e.g. the bicubic upsample or a network's output) cropped to the part
 * the frame stands for (`lqCrop` ×`scale`); `img` itself when the frame has no context pixels.
 */
export function cropToTile(img: RgbImage, frame: { readonly lqCrop?: LqCrop }, scale: number): RgbImage {
  const c = frame.lqCrop;
  return c === undefined ? img : cropImage(img, c.x * scale, c.y * scale, c.width * scale, c.height * scale);
}

export function tile<In extends Frame & { readonly lq: FrameFields['lq'] }>(opts: TileFrameOptions): OperatorFunction<Item<In>, Item<Tiled<In>>> {
  checkTileOptions(opts);
  checkMargin(opts.margin);
  return mergeMap((item: Item<In>) => {
    if (isFrameError(item)) return of(item);
    try {
      const plan = planTiles(item.lq.width, item.lq.height, opts);
      return from(plan.tiles.map((_, index) => cutTile(item, plan, index, opts.margin)));
    } catch (err) {
      return of(frameError(item, 'tile', err));
    }
  }, 1);
}

export function checkMargin(margin: number | undefined): void {
  if (margin !== undefined && (!Number.isInteger(margin) || margin < 0)) throw new RangeError(`tile margin must be an integer ≥ 0, got ${margin}`);
}
