/**
 * Where the tiles of an image go: a raster-ordered grid of equal rectangles of `tile`×`tile` (smaller only when
 * the image itself is smaller), neighbours overlapping by at least `overlap`, the last row/column flush with the
 * border. Every pixel is covered; images smaller than a tile become one tile of their own size.
 *
 * ```ts
 * planTiles(300, 200, { tile: 128, overlap: 32 }); // 3 columns × 2 rows
 * ```
 */

export interface TileOptions {
  /** Tile side in pixels of the image being tiled (> 0). */
  readonly tile: number;
  /** Minimum overlap between neighbours in pixels (0 ≤ overlap < tile). */
  readonly overlap: number;
}

export interface TileRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly row: number;
  readonly col: number;
}

export interface TilePlan {
  readonly width: number;
  readonly height: number;
  /** Tiles in raster order (rows top to bottom, each row left to right). */
  readonly tiles: readonly TileRect[];
  readonly rows: number;
  readonly cols: number;
}

/** Start offsets along one axis. */
export function tileStarts(size: number, tile: number, overlap: number): number[] {
  if (size <= tile) return [0];
  const stride = tile - overlap;
  const starts: number[] = [];
  for (let s = 0; s + tile < size; s += stride) starts.push(s);
  starts.push(size - tile);
  return starts;
}

/** Throw a RangeError naming the problem unless the tile options are usable. */
export function checkTileOptions(opts: TileOptions): void {
  if (!Number.isInteger(opts.tile) || opts.tile < 8) throw new RangeError(`tile size must be an integer ≥ 8, got ${opts.tile}`);
  if (!Number.isInteger(opts.overlap) || opts.overlap < 0 || opts.overlap >= opts.tile) {
    throw new RangeError(`tile overlap must be an integer in [0, tile size), got ${opts.overlap} for tile ${opts.tile}`);
  }
}

/** Plan the tiles of a `width`×`height` image. */
export function planTiles(width: number, height: number, opts: TileOptions): TilePlan {
  checkTileOptions(opts);
  const xs = tileStarts(width, opts.tile, opts.overlap);
  const ys = tileStarts(height, opts.tile, opts.overlap);
  const tiles: TileRect[] = [];
  ys.forEach((y, row) =>
    xs.forEach((x, col) =>
      tiles.push({ x, y, width: Math.min(opts.tile, width), height: Math.min(opts.tile, height), row, col }),
    ),
  );
  return { width, height, tiles, rows: ys.length, cols: xs.length };
}
