/**
 * `untile()` — gather the tiles made by {@link tile} (after a per-tile graph that added `sr`, `scale`× the tile)
 * and blend them with Gaussian weights into one `sr` on the original frame. Tiles of one frame must arrive in
 * order (keep per-tile stages at concurrency 1, the default). A failed tile fails its whole frame once: one
 * error is emitted, the frame's other tiles are dropped, and the stream goes on.
 *
 * Rows are final as soon as a row of tiles is done: `untile({ rows })` streams them to a sink per frame (memory: a
 * band of float rows, never the whole float image) and emits the original frame without `sr` once it is complete.
 *
 * ```ts
 * frames$.pipe(tile({ tile: 64, overlap: 16 }), upscaleTiles, untile())
 * frames$.pipe(tile({ tile: 64, overlap: 16 }), upscaleTiles, untile({ rows: (f) => (y, rgb) => out.write(y, rgb) }))
 * ```
 */
import { type Observable, type OperatorFunction, EMPTY, mergeMap, of } from 'rxjs';
import { type Frame, type Item, frameError, isFrameError } from '../frame.js';
import { type RgbImage, createImage } from '../image.js';
import { BlendAccumulator, type RowSink } from '../tiling/blend-accumulator.js';
import { gaussianTileWeights } from '../tiling/gaussian-weights.js';
import type { WithSr } from './tadsr-fields.js';
import type { TileInfo } from './tile.js';

interface Pending {
  acc: BlendAccumulator;
  data: Float32Array | undefined;
  scale: number;
  received: number;
}

export interface UntileOptions<P> {
  /** Stream each frame's blended rows to the sink this returns (called once per frame, at its first tile). */
  readonly rows: (frame: P) => RowSink;
}

type TileOut<P> = Frame & WithSr & { readonly tile: TileInfo<P> };

export function untile<P extends Frame, In extends TileOut<P>>(): OperatorFunction<Item<In>, Item<P & WithSr>>;
export function untile<P extends Frame, In extends TileOut<P>>(opts: UntileOptions<P>): OperatorFunction<Item<In>, Item<P>>;
export function untile<P extends Frame, In extends TileOut<P>>(opts?: UntileOptions<P>): OperatorFunction<Item<In>, Item<P | (P & WithSr)>> {
  return (source: Observable<Item<In>>) => {
    const pending = new Map<string, Pending>();
    const failed = new Set<string>();
    const weights = new Map<string, Float32Array>();
    const weightsFor = (w: number, h: number): Float32Array => {
      const key = `${w}x${h}`;
      let v = weights.get(key);
      if (v === undefined) {
        v = gaussianTileWeights(w, h);
        weights.set(key, v);
      }
      return v;
    };
    return source.pipe(
      mergeMap((item: Item<In>): Observable<Item<P | (P & WithSr)>> => {
        if (isFrameError(item)) {
          pending.delete(item.id);
          if (failed.has(item.id)) return EMPTY;
          failed.add(item.id);
          return of(item);
        }
        if (failed.has(item.id)) return EMPTY;
        const t = item.tile;
        try {
          let p = pending.get(item.id);
          if (!p) {
            const scale = item.sr.width / t.rect.width;
            if (!Number.isInteger(scale) || item.sr.height !== t.rect.height * scale) {
              throw new Error(`tile output ${item.sr.width}x${item.sr.height} is not an integer multiple of ${t.rect.width}x${t.rect.height}`);
            }
            const W = t.width * scale;
            const data = opts === undefined ? new Float32Array(W * t.height * scale * 3) : undefined;
            const sink: RowSink = data !== undefined ? (y, row) => data.set(row, y * W * 3) : opts!.rows(t.parent);
            p = { acc: new BlendAccumulator(W, t.height * scale, sink), data, scale, received: 0 };
            pending.set(item.id, p);
          }
          const s = p.scale;
          const ow = t.rect.width * s;
          const oh = t.rect.height * s;
          if (item.sr.width !== ow || item.sr.height !== oh) throw new Error(`tile ${t.index} output is ${item.sr.width}x${item.sr.height}, expected ${ow}x${oh}`);
          p.acc.add(t.rect.x * s, t.rect.y * s, ow, oh, item.sr.data, weightsFor(ow, oh));
          p.received++;
          if (t.flushTo !== undefined) p.acc.flush(t.flushTo * s);
          if (p.received < t.count) return EMPTY;
          p.acc.flush(t.height * s);
          pending.delete(item.id);
          if (p.data === undefined) return of(t.parent);
          const sr: RgbImage = createImage(t.width * s, t.height * s, p.data, (t.parent as { lq?: RgbImage }).lq?.bitDepth);
          return of({ ...t.parent, sr });
        } catch (err) {
          pending.delete(item.id);
          failed.add(item.id);
          return of(frameError(t.parent, 'untile', err));
        }
      }, 1),
    );
  };
}
