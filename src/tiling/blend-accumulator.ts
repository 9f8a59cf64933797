/**
 * Weighted accumulation of overlapping tile outputs into one image, streamed by rows: each output row is
 * allocated when a tile first touches it and released once flushed, so memory is a band of rows (about one tile
 * height), never a full-size float image unless the sink keeps one.
 *
 * out(x, y) = Σ_tiles w_t(x, y)·tile_t(x, y) / Σ_tiles w_t(x, y)
 *
 * ```ts
 * const acc = new BlendAccumulator(W, H, (y, row) => out.set(row, y * W * 3));
 * acc.add(x, y, tileW, tileH, tileRgb, weights);
 * acc.flush(nextTileRowY); // rows above are final
 * acc.flush(H);
 * ```
 */

/** Receives one finished row: interleaved RGB, `width`·3 values (a view valid only during the call). */
export type RowSink = (y: number, rgb: Float32Array) => void;

export class BlendAccumulator {
  /** Per live row: RGB sums (3·width) followed by weight sums (width). */
  private readonly rows: (Float32Array | undefined)[];
  private nextFlush = 0;
  private readonly out: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly sink: RowSink,
  ) {
    this.rows = new Array<Float32Array | undefined>(height);
    this.out = new Float32Array(width * 3);
  }

  /** Number of rows currently held (for memory tests). */
  get liveRows(): number {
    let n = 0;
    for (let y = this.nextFlush; y < this.height; y++) if (this.rows[y]) n++;
    return n;
  }

  /** Add a `w`×`h` interleaved-RGB tile at (x, y) with row-major weights `weights` (w·h). */
  add(x: number, y: number, w: number, h: number, rgb: Float32Array, weights: Float32Array): void {
    if (x < 0 || y < 0 || x + w > this.width || y + h > this.height) {
      throw new RangeError(`tile ${w}x${h}+${x}+${y} outside ${this.width}x${this.height}`);
    }
    if (y < this.nextFlush) throw new Error(`tile at row ${y} arrives after rows up to ${this.nextFlush} were flushed`);
    if (rgb.length !== w * h * 3 || weights.length !== w * h) throw new RangeError('tile data and weights do not match its size');
    const W = this.width;
    for (let ty = 0; ty < h; ty++) {
      let row = this.rows[y + ty];
      if (!row) {
        row = new Float32Array(W * 4);
        this.rows[y + ty] = row;
      }
      for (let tx = 0; tx < w; tx++) {
        const wt = weights[ty * w + tx];
        const s = (ty * w + tx) * 3;
        const d = (x + tx) * 3;
        row[d] += wt * rgb[s];
        row[d + 1] += wt * rgb[s + 1];
        row[d + 2] += wt * rgb[s + 2];
        row[3 * W + x + tx] += wt;
      }
    }
  }

  /** Normalise and emit every row above `untilY` (exclusive); no tile may touch them afterwards. */
  flush(untilY: number): void {
    const W = this.width;
    const end = Math.min(untilY, this.height);
    for (let y = this.nextFlush; y < end; y++) {
      const row = this.rows[y];
      if (!row) throw new Error(`row ${y} was never covered by a tile`);
      for (let x = 0; x < W; x++) {
        const wt = row[3 * W + x];
        if (!(wt > 0)) throw new Error(`pixel (${x}, ${y}) was never covered by a tile`);
        this.out[x * 3] = row[x * 3] / wt;
        this.out[x * 3 + 1] = row[x * 3 + 1] / wt;
        this.out[x * 3 + 2] = row[x * 3 + 2] / wt;
      }
      this.sink(y, this.out);
      this.rows[y] = undefined;
    }
    this.nextFlush = Math.max(this.nextFlush, end);
  }
}
