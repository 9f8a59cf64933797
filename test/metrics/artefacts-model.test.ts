/**
 * Issue 9, item 4: the artefacts a person sees, checked on the shipped model's real output — borders (first/last
 * rows and columns against the inside), overshoot beyond the input's range, colour kept (chroma against the
 * bicubic image), on a saturated repo-made card and, when `../shared/data` is present, on DRealSR LQ crops.
 * Thresholds are the issue's: a border band at least 0.9 of the band inside it (the issue saw 0.72), at most 1 %
 * of values beyond the bicubic image's range ± 8/255 (it saw 0–231 against 27–187), chroma at least 0.7 of the
 * bicubic image's (it saw one image in five below), and a local colour shift (16×16 block means of CbCr against the
 * bicubic image's) of at most 6 levels — the issue saw greens turned khaki; at t_s 300 the shipped model shows 1.0–3.8
 * on these DRealSR images, at t_s 700 11–14 on two of them, and the blotches of an unanchored fine-tune 4 on a grey
 * wall where the model shows 1.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Upscaler } from '../../src/graphs/upscaler.js';
import { createImage, type RgbImage } from '../../src/image.js';
import { readImageFile } from '../../src/io/read-image-file.js';
import { artefactStats, type ArtefactStats } from '../../src/metrics/artefacts.js';
import { bicubicUpscale } from '../../src/metrics/matlab-imresize.js';
import { SHARED_DIR } from './golden-path.js';

const LR = join(SHARED_DIR, 'data', 'drealsr', 'lr');
const HAVE_LR = existsSync(LR);
if (!HAVE_LR) console.warn(`${LR} not found: the DRealSR artefact checks are skipped`);
const DREALSR = ['Canon_10_x1.png', 'DSC_1045_x1.png', 'IMG_118_x1.png', 'P1140090_x1.png'];

/** A 64×64 saturated card: red, green, blue and yellow fields with a dark stroke and soft shading. */
function saturatedCard(n = 64): RgbImage {
  const d = new Float32Array(n * n * 3);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const shade = 0.85 + 0.15 * Math.sin(x / 7) * Math.cos(y / 9);
      let c = x < n / 2 ? (y < n / 2 ? [0.85, 0.1, 0.1] : [0.1, 0.7, 0.15]) : y < n / 2 ? [0.1, 0.2, 0.85] : [0.9, 0.8, 0.1];
      if (Math.abs(x - y) < 2) c = [0.05, 0.05, 0.05];
      d.set(c.map((v) => v * shade), (y * n + x) * 3);
    }
  }
  return createImage(n, n, d);
}

let up: Upscaler;
beforeAll(async () => {
  up = await Upscaler.load('models/default');
});
afterAll(async () => {
  await up.dispose();
});

const stats = new Map<string, Promise<ArtefactStats>>();
/** The shipped model's artefact statistics of one image at t_s (default: the model's own, as `upscale` runs it; computed once). */
function statsOf(name: string, tS?: number): Promise<ArtefactStats> {
  const key = `${name}@${tS ?? 'default'}`;
  let p = stats.get(key);
  if (p === undefined) {
    p = (async () => {
      const lq = name === 'card' ? saturatedCard() : await readImageFile(join(LR, name));
      return artefactStats(await up.upscale(lq, { ...(tS === undefined ? {} : { tS }), id: name }), bicubicUpscale(lq, 4));
    })();
    stats.set(key, p);
  }
  return p;
}

const checks = {
  border: (s: ArtefactStats) => expect(Math.min(s.border.top, s.border.bottom, s.border.left, s.border.right), JSON.stringify(s)).toBeGreaterThanOrEqual(0.9),
  overshoot: (s: ArtefactStats) => expect(s.overshoot, JSON.stringify(s)).toBeLessThanOrEqual(0.01),
  chroma: (s: ArtefactStats) => expect(s.chroma, JSON.stringify(s)).toBeGreaterThanOrEqual(0.7),
  colourShift: (s: ArtefactStats) => expect(s.chromaShift, JSON.stringify(s)).toBeLessThanOrEqual(6),
};

/**
 * What the shipped model fails today, as expected failures (`it.fails`), so the suite stays green *and* says when a
 * new default fixes them (a fixed defect makes its `it.fails` fail — then move it to the passing list). The
 * small-vae16 default failed the left border on every image (0.71–0.89 of the band inside it), the card's chroma
 * (0.22) and its overshoot (1.3 %); the small-taef2 default that replaced it (2026-12-02) passes all of them at its
 * default t_s (300: card overshoot 0.53 %). The colour-shift check (added with the third training series) fails on
 * the card: 9.7 levels, the card's saturated fields come out 9 % less saturated (chroma 0.91) — within the chroma
 * check's 0.7, but a shift a person can see beside the input. Above the default, with the t_s adapter (fourth
 * series): at t_s 500 the card's overshoot passes (0.91 % of values outside bicubic's range ± 8 levels; 1.24 % without
 * the adapter) and its colour shift fails further (22.7 levels, chroma 0.79; without the adapter 17.9, 0.84); at 700
 * the chroma itself drops to 0.66 with or without it — the dial's realism end desaturates saturated colours.
 */
const KNOWN_DEFECTS = new Set<string>(['card colourShift']);

const images = ['card', ...(HAVE_LR ? DREALSR : [])];
const cases = images.flatMap((image) => (Object.keys(checks) as (keyof typeof checks)[]).map((check) => ({ image, check, name: `${image} ${check}` })));

describe('artefacts of models/default at its default t_s (issue 9 thresholds)', () => {
  for (const c of cases) {
    const run = async () => checks[c.check](await statsOf(c.image));
    if (KNOWN_DEFECTS.has(c.name)) it.fails(`${c.name} (known defect of the shipped model)`, run);
    else it(c.name, run);
  }
});

describe('artefacts of models/default at t_s 500 (the saturated card)', () => {
  it('card border, chroma and overshoot', async () => {
    checks.border(await statsOf('card', 500));
    checks.chroma(await statsOf('card', 500));
    checks.overshoot(await statsOf('card', 500));
  });
  it.fails('card colourShift (known defect of the shipped model above its default t_s)', async () => checks.colourShift(await statsOf('card', 500)));
});
