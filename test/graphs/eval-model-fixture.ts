/**
 * A tiny paired set for the eval-model tests, written to a temp dir: HR 192×192 (smooth gradients + texture; NIQE needs ≥ 2 blocks of 96),
 * LQ 48×48 (MATLAB bicubic ¼, 8-bit), plus a corrupt LQ file and an LQ file without HR. And a stand-in "model":
 * bicubic ×4 plus deterministic noise of amplitude t_s/2000 (t_s = 0 gives exactly the bicubic baseline).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createImage, fromUint8, toUint8, type RgbImage } from '../../src/image.js';
import { writeImageFile } from '../../src/io/encode-image.js';
import { bicubicUpscale, imresize } from '../../src/metrics/index.js';
import type { UpscaleFn } from '../../src/graphs/eval-model.js';

export interface PairedSet {
  readonly root: string;
  readonly lqDir: string;
  readonly hrDir: string;
  readonly good: readonly string[];
}

function hrImage(seed: number): RgbImage {
  const w = 192;
  const d = new Float32Array(w * w * 3);
  let s = seed;
  for (let y = 0; y < w; y++) {
    for (let x = 0; x < w; x++) {
      s = (s * 1664525 + 1013904223) >>> 0;
      const n = (s / 2 ** 32 - 0.5) * 0.15;
      const i = (y * w + x) * 3;
      d[i] = 0.5 + 0.4 * Math.sin((x + seed * 7) / 9) * Math.cos(y / 13) + n;
      d[i + 1] = 0.3 + 0.5 * (x / w) + 0.1 * Math.sin((x * y) / 150) + n;
      d[i + 2] = 0.6 - 0.4 * (y / w) + 0.2 * Math.cos((x - y + seed) / 6) + n;
    }
  }
  return fromUint8(w, w, toUint8(createImage(w, w, d)));
}

export async function makePairedSet(): Promise<PairedSet> {
  const root = mkdtempSync(join(tmpdir(), 'tadsr-eval-model-'));
  const lqDir = join(root, 'lq');
  const hrDir = join(root, 'hr');
  mkdirSync(lqDir, { recursive: true });
  mkdirSync(hrDir, { recursive: true });
  const good = ['img_a', 'img_b', 'img_<c>'];
  for (const [k, id] of good.entries()) {
    const hr = hrImage(k + 1);
    const lq = imresize(hr, 0.25);
    await writeImageFile(join(hrDir, `${id}.png`), hr);
    await writeImageFile(join(lqDir, `${id}.png`), fromUint8(48, 48, toUint8(lq)));
  }
  writeFileSync(join(lqDir, 'img_corrupt.png'), Buffer.from('not a png at all'));
  await writeImageFile(join(hrDir, 'img_corrupt.png'), hrImage(9));
  await writeImageFile(join(lqDir, 'img_lonely.png'), fromUint8(48, 48, toUint8(imresize(hrImage(5), 0.25))));
  return { root, lqDir, hrDir, good };
}

/** Bicubic ×4 + uniform noise of amplitude t_s/2000, 8-bit; deterministic per (id, t_s). */
export const noisyBicubic: UpscaleFn = async (lq, tS, id) => {
  const up = bicubicUpscale(lq, 4);
  const out = new Float32Array(up.data.length);
  let s = (tS * 7919 + [...id].reduce((a, c) => a * 31 + c.charCodeAt(0), 7)) >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = up.data[i] + (s / 2 ** 32 - 0.5) * (tS / 2000);
  }
  return fromUint8(up.width, up.height, toUint8(createImage(up.width, up.height, out)));
};
