/**
 * `untile()` — gather the tiles made by {@link tile} (after a per-tile graph that added `sr`, `scale`× the tile)
 * and blend them with Gaussian weights into one `sr` on the original frame. Tiles of one frame must arrive in
 * order (keep per-tile stages at concurrency 1, the default). A failed tile fails its whole frame once: one
 * error is emitted, the frame's other tiles are dropped, and the stream goes on.
 *
 * ```ts
 * frames$.pipe(tile({ tile: 64, overlap: 16 }), upscaleTiles, untile())
 * ```
 */
import { type Observable, type OperatorFunction, EMPTY, mergeMap, of } from 'rxjs';
import { type Frame, type Item, frameError, isFrameError } from '../frame.js';
import { type RgbImage, createImage } from '../image.js';
import { BlendAccumulator } from '../tiling/blend-accumulator.js';
import { gaussianTileWeights } from '../tiling/gaussian-weights.js';
import type { WithSr } from './tadsr-fields.js';
import type { TileInfo } from './tile.js';

interface Pending {
  acc: BlendAccumulator;
  data: Float32Array;
  scale: number;
  received: number;
}

export function untile<P extends Frame, In extends Frame & WithSr & { readonly tile: TileInfo<P> }>(): OperatorFunction<Item<In>, Item<P & WithSr>> {
  return (source: Observable<Item<In>>) => {
    const pending = new Map<string, Pending>();
    const failed = new Set<string>();
    return source.pipe(
      mergeMap((item: Item<In>): Observable<Item<P & WithSr>> => {
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
            const data = new Float32Array(W * t.height * scale * 3);
            const acc = new BlendAccumulator(W, t.height * scale, (y, row) => data.set(row, y * W * 3));
            p = { acc, data, scale, received: 0 };
            pending.set(item.id, p);
          }
          const s = p.scale;
          const ow = t.rect.width * s;
          const oh = t.rect.height * s;
          if (item.sr.width !== ow || item.sr.height !== oh) throw new Error(`tile ${t.index} output is ${item.sr.width}x${item.sr.height}, expected ${ow}x${oh}`);
          p.acc.add(t.rect.x * s, t.rect.y * s, ow, oh, item.sr.data, gaussianTileWeights(ow, oh));
          p.received++;
          if (p.received < t.count) return EMPTY;
          p.acc.flush(t.height * s);
          pending.delete(item.id);
          const sr: RgbImage = createImage(t.width * s, t.height * s, p.data, t.parent && (t.parent as { lq?: RgbImage }).lq?.bitDepth);
          return of({ ...t.parent, sr } as P & WithSr);
        } catch (err) {
          pending.delete(item.id);
          failed.add(item.id);
          return of(frameError(t.parent, 'untile', err));
        }
      }, 1),
    );
  };
}
