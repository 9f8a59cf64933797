/**
 * Which part of the image each tile of a plan *owns*: a partition of the image (every pixel owned by exactly one
 * tile), cut in the middle of each overlap, so statistics summed over the tiles' owned parts are the whole
 * image's (shared GroupNorm statistics, shared colour-fix statistics).
 *
 * ```ts
 * const plan = planTiles(192, 192, { tile: 128, overlap: 32 });
 * tileOwnership(plan, 8); // [{ x0: 0, x1: 96, y0: 0, y1: 96 }, { x0: 96, x1: 192, … }, …] (image pixels)
 * ```
 */
import type { TilePlan, TileRect } from './plan.js';

/** An owned rectangle in image pixels, `[x0, x1) × [y0, y1)`. */
export interface OwnedPixels {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/** Cut points between consecutive tiles along one axis: the overlap's middle, rounded to `align` if it stays inside. */
function cuts(starts: readonly number[], tile: number, size: number, align: number): number[] {
  const out = [0];
  for (let i = 1; i < starts.length; i++) {
    const lo = starts[i]!;
    const hi = Math.min(size, starts[i - 1]! + tile);
    const mid = (lo + hi) / 2;
    const aligned = Math.round(mid / align) * align;
    out.push(aligned >= lo && aligned <= hi ? aligned : Math.floor(mid));
  }
  out.push(size);
  return out;
}

/**
 * The owned rectangle of every tile of `plan` (same order), cut points rounded to multiples of `align` pixels
 * where they fit in the overlap (so they fall on cell borders of the networks' coarser feature maps).
 */
export function tileOwnership(plan: TilePlan, align = 1): OwnedPixels[] {
  const t0 = plan.tiles[0];
  if (t0 === undefined) return [];
  const xs = [...new Set(plan.tiles.map((t) => t.x))].sort((a, b) => a - b);
  const ys = [...new Set(plan.tiles.map((t) => t.y))].sort((a, b) => a - b);
  const cx = cuts(xs, t0.width, plan.width, align);
  const cy = cuts(ys, t0.height, plan.height, align);
  return plan.tiles.map((t: TileRect) => ({ x0: cx[t.col]!, x1: cx[t.col + 1]!, y0: cy[t.row]!, y1: cy[t.row + 1]! }));
}

/**
 * The region a tile owns, as fractions of its network input's (or output image's) spatial extent (`[0, 1]` each;
 * `x0 < x1`, `y0 < y1`). Resolution-free, so the same rectangle weights the encoder's pixels, the UNet's latents
 * and the decoder's features alike: cell `j` of a `w`-wide feature map covers `[j/w, (j+1)/w)` of the extent.
 */
export interface OwnedRect {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/**
 * The owned part of tile `rect` as fractions of an extent of `width`×`height` pixels at `scale`× the plan's
 * resolution (the tile's output at `scale`, `width`/`height` larger than `rect`×`scale` where it is padded).
 */
export function ownedFraction(owned: OwnedPixels, rect: TileRect, scale: number, width: number, height: number): OwnedRect {
  return {
    x0: ((owned.x0 - rect.x) * scale) / width,
    x1: ((owned.x1 - rect.x) * scale) / width,
    y0: ((owned.y0 - rect.y) * scale) / height,
    y1: ((owned.y1 - rect.y) * scale) / height,
  };
}

/**
 * Weight of each of `n` cells along one axis for the owned interval `[a0, a1)` (fractions of the extent): the
 * fraction of each cell's span `[j/n, (j+1)/n)` inside the interval, in [0, 1]. For tiles whose owned intervals
 * partition the image, the weights of one image cell over all tiles sum to 1.
 */
export function cellWeights(n: number, a0: number, a1: number): Float64Array {
  const w = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const lo = Math.max(j / n, a0);
    const hi = Math.min((j + 1) / n, a1);
    w[j] = hi > lo ? (hi - lo) * n : 0;
  }
  return w;
}
