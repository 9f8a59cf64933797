/**
 * `tiledShared`: the tiles of a frame run one per-tile graph together, sharing statistics, on the real ONNX backend
 * (an untrained `tiny` model, 40×28 LQ in 4 tiles at 24/8). A tile that fails fails its frame once, without leaving
 * the other tiles waiting for it, and the stream goes on; a backend without the capability gets the plain tile loop;
 * sharing changes the output (and the AdaIN statistics are the whole image's, not the tile's).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OperatorFunction, lastValueFrom, of, pipe, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';
import { DataError, type Item, isFrameError } from '../../src/frame.js';
import type { WithSr } from '../../src/operators/tadsr-fields.js';
import { initModelDir } from '../../src/graphs/model-dir.js';
import { Upscaler } from '../../src/graphs/upscaler.js';
import { createImage, type RgbImage } from '../../src/image.js';
import { colorFix } from '../../src/operators/color-fix.js';
import { mergeMapFrames } from '../../src/operators/frame-operator.js';
import { oneStep } from '../../src/operators/one-step.js';
import type { Tiled } from '../../src/operators/tile.js';
import { tiled } from '../../src/operators/tiled.js';
import { type TileCompute, type TileGraph, tiledShared } from '../../src/operators/tiled-shared.js';

type F = { id: string; lq: RgbImage };
let root: string;
let up: Upscaler;
const lq = (() => {
  const d = new Float32Array(40 * 28 * 3);
  for (let i = 0; i < d.length; i++) d[i] = 0.5 + 0.4 * Math.sin(i / 9.7) * Math.cos(i / 173);
  return createImage(40, 28, d);
})();
const opts = { tile: 24, overlap: 8, margin: 3 };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tadsr-tiled-shared-'));
  await initModelDir(join(root, 'tiny'), 'tiny', { seed: 3 });
  up = await Upscaler.load(join(root, 'tiny'));
});
afterAll(async () => {
  await up?.dispose();
  rmSync(root, { recursive: true, force: true });
});

const perTile =
  (failing?: { id: string; index: number }) =>
  ({ backend, colorStats }: TileCompute): TileGraph<F> =>
    pipe(
      mergeMapFrames('check', async (t: Tiled<F>) => {
        if (t.id === failing?.id && t.tile.index === failing.index) throw new DataError(`tile ${t.tile.index} is unreadable`);
        return t;
      }),
      oneStep(backend, up.facts, { tS: 300 }),
      colorFix('adain', { stats: colorStats }),
    );

const maxDiff = (a: RgbImage, b: RgbImage) => a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i]!)), 0);

describe('tiledShared on the ONNX backend', () => {
  it('a failing tile fails its frame once (the others do not wait for it); the next frame still comes out', async () => {
    const shared = { ...opts, scale: 4, pixelMultiple: up.facts.pixelMultiple };
    const out = await lastValueFrom(
      of<F[]>({ id: 'a', lq }, { id: 'b', lq }).pipe(tiledShared<F>(shared, up.backend, perTile({ id: 'a', index: 2 })), toArray()),
    );
    expect(out).toHaveLength(2);
    expect(isFrameError(out[0]) && out[0].id === 'a' && out[0].message).toMatch(/tile 2 is unreadable/);
    const b = out[1]!;
    expect(isFrameError(b)).toBe(false);
    expect(!isFrameError(b) && [b.sr.width, b.sr.height]).toEqual([160, 112]);
  });

  it('sharing changes the output; a backend without the capability gets exactly the plain tile loop', async () => {
    const shared = { ...opts, scale: 4, pixelMultiple: up.facts.pixelMultiple };
    const run = async (g: OperatorFunction<Item<F>, Item<F & WithSr>>) => {
      const r = await lastValueFrom(of<F>({ id: 'x', lq }).pipe(g));
      if (isFrameError(r)) throw new Error(r.message);
      return r.sr;
    };
    const plain = await run(tiled<F>(opts, perTile()({ backend: up.backend })));
    const sharedOut = await run(tiledShared<F>(shared, up.backend, perTile()));
    expect(maxDiff(plain, sharedOut)).toBeGreaterThan(1e-3);
    const without: Backend = { info: up.backend.info, run: (n, i) => up.backend.run(n, i), dispose: async () => undefined };
    const plainWithout = await run(tiled<F>(opts, perTile()({ backend: without }))); // unfused: no runGraph either
    expect(maxDiff(plainWithout, plain)).toBeLessThan(1e-4);
    expect(maxDiff(await run(tiledShared<F>(shared, without, perTile())), plainWithout)).toBe(0);
  });
});
