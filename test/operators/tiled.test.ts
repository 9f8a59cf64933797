/**
 * The one tile loop: `tile({ margin })` / `cutTile` give tiles with context pixels that upsample exactly as the
 * whole image does; `tiled` (lazy) equals `tile` → … → `untile`; `untile({ rows })` streams each row band as soon as
 * its row of tiles is done.
 */
import { firstValueFrom, from, lastValueFrom, of, pipe, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isFrameError } from '../../src/frame.js';
import { createImage, cropImage, type RgbImage } from '../../src/image.js';
import { encoderInput } from '../../src/operators/encode.js';
import { mergeMapFrames } from '../../src/operators/frame-operator.js';
import { cutTile, cropToTile, tile, type Tiled } from '../../src/operators/tile.js';
import { tiled } from '../../src/operators/tiled.js';
import { untile } from '../../src/operators/untile.js';
import { bicubicUpsample } from '../../src/resize/bicubic-upsample.js';
import { planTiles } from '../../src/tiling/plan.js';
import { FAKE_FACTS } from '../helpers/fake-backend.js';

function img(w: number, h: number): RgbImage {
  const d = new Float32Array(w * h * 3);
  for (let i = 0; i < d.length; i++) d[i] = (((i + 3) * 2654435761) % 997) / 997;
  return createImage(w, h, d);
}
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

/** A context-needing per-tile op: bicubic ×2 of the tile's `lq` (with its margin), cropped back to the tile. */
const upsampleTile = mergeMapFrames('up', async (t: Tiled<{ id: string; lq: RgbImage }>) => ({ ...t, sr: cropToTile(bicubicUpsample(t.lq, 2), t, 2) }));

describe('tiles with context (margin)', () => {
  it('an interior tile upsamples exactly as the whole image does with margin 3, not without', () => {
    const lq = img(40, 40);
    const plan = planTiles(40, 40, { tile: 16, overlap: 4 });
    const whole = bicubicUpsample(lq, 4);
    const i = plan.tiles.findIndex((r) => r.x > 3 && r.y > 3 && r.x + r.width + 3 < 40 && r.y + r.height + 3 < 40);
    const r = plan.tiles[i]!;
    const want = cropImage(whole, r.x * 4, r.y * 4, r.width * 4, r.height * 4);
    const withMargin = cutTile({ id: 'a', lq }, plan, i, 3);
    expect(withMargin.lqCrop).toEqual({ x: 3, y: 3, width: 16, height: 16 });
    expect([withMargin.lq.width, withMargin.lq.height]).toEqual([22, 22]);
    expect(maxDiff(encoderInput(withMargin, FAKE_FACTS, 4).lqUp.data, want.data)).toBeLessThan(1e-6);
    const bare = cutTile({ id: 'a', lq }, plan, i, 0);
    expect(bare.lqCrop).toBeUndefined();
    expect(maxDiff(encoderInput(bare, FAKE_FACTS, 4).lqUp.data, want.data)).toBeGreaterThan(1e-3);
  });

  it('tiled (lazy) equals tile → op → untile, and both equal the untiled op', async () => {
    const lq = img(37, 29);
    const opts = { tile: 16, overlap: 6, margin: 3 };
    const eager = await firstValueFrom(of({ id: 'x', lq }).pipe(tile(opts), upsampleTile, untile()));
    const lazy = await firstValueFrom(of({ id: 'x', lq }).pipe(tiled(opts, upsampleTile)));
    if (isFrameError(eager) || isFrameError(lazy)) throw new Error('unexpected error');
    expect(maxDiff(lazy.sr.data, eager.sr.data)).toBe(0);
    expect(maxDiff(lazy.sr.data, bicubicUpsample(lq, 2).data)).toBeLessThan(1e-5);
  });

  it('untile({ rows }) streams each row band once its row of tiles is done, then emits the frame', async () => {
    const lq = img(20, 40);
    const events: string[] = [];
    const perTile = pipe(mergeMapFrames('log', async (t: Tiled<{ id: string; lq: RgbImage }>) => (events.push(`tile ${t.tile.index}`), t)), upsampleTile);
    const out = await lastValueFrom(
      from([{ id: 'p', lq }]).pipe(
        tiled({ tile: 16, overlap: 4, margin: 3, rows: (f: { id: string }) => (y: number) => (y % 8 === 0 ? events.push(`${f.id} row ${y}`) : 0) }, perTile),
        toArray(),
      ),
    );
    expect(out).toEqual([{ id: 'p', lq }]); // the frame, without sr
    // tile rows start at LQ y 0, 12, 24 (×2 output): rows above the next tile row are out before it starts
    const at = (e: string) => events.indexOf(e);
    expect(at('p row 0')).toBeGreaterThan(at('tile 1'));
    expect(at('p row 16')).toBeLessThan(at('tile 2'));
    expect(at('p row 24')).toBeGreaterThan(at('tile 3'));
    expect(at('p row 40')).toBeLessThan(at('tile 4'));
    expect(at('p row 72')).toBeGreaterThan(at('tile 5'));
    expect(events.filter((e) => e.includes('row'))).toHaveLength(10);
  });
});
