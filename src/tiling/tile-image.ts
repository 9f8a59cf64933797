/**
 * Run a per-tile image function over an image of any size and blend the results: the generic engine behind
 * tiled inference. `fn` maps an input tile to an output tile `scale` times larger; outputs are blended with
 * Gaussian weights and streamed, row band by row band, to `sink` (or collected into an image).
 *
 * ```ts
 * const sr = await tileImage(lq, { tile: 64, overlap: 16 }, 4, (t) => upscaleTile(t));
 * ```
 */
import { type RgbImage, createImage, cropImage } from '../image.js';
import { BlendAccumulator, type RowSink } from './blend-accumulator.js';
import { gaussianTileWeights } from './gaussian-weights.js';
import { type TileOptions, type TileRect, planTiles } from './plan.js';

export type TileFunction = (tile: RgbImage, rect: TileRect, index: number, count: number) => Promise<RgbImage> | RgbImage;

/** Stream the blended output rows of `fn` over the tiles of `img` to `sink`. Output is `scale`× the input. */
export async function tileImageRows(img: RgbImage, opts: TileOptions, scale: number, fn: TileFunction, sink: RowSink): Promise<void> {
  const plan = planTiles(img.width, img.height, opts);
  const acc = new BlendAccumulator(img.width * scale, img.height * scale, sink);
  const weightCache = new Map<string, Float32Array>();
  for (let i = 0; i < plan.tiles.length; i++) {
    const r = plan.tiles[i];
    const out = await fn(cropImage(img, r.x, r.y, r.width, r.height), r, i, plan.tiles.length);
    const ow = r.width * scale;
    const oh = r.height * scale;
    if (out.width !== ow || out.height !== oh) throw new Error(`tile function returned ${out.width}x${out.height}, expected ${ow}x${oh}`);
    const key = `${ow}x${oh}`;
    let w = weightCache.get(key);
    if (!w) {
      w = gaussianTileWeights(ow, oh);
      weightCache.set(key, w);
    }
    acc.add(r.x * scale, r.y * scale, ow, oh, out.data, w);
    const next = plan.tiles[i + 1];
    if (!next || next.row !== r.row) acc.flush(next ? next.y * scale : img.height * scale);
  }
}

/** Like {@link tileImageRows}, collecting the output into one image. */
export async function tileImage(img: RgbImage, opts: TileOptions, scale: number, fn: TileFunction): Promise<RgbImage> {
  const W = img.width * scale;
  const data = new Float32Array(W * img.height * scale * 3);
  await tileImageRows(img, opts, scale, fn, (y, row) => data.set(row, y * W * 3));
  return createImage(W, img.height * scale, data, img.bitDepth);
}
