/**
 * Artefact statistics of a model on real LQ images (issue 9's "looked at as a person would"): per image the border
 * luma ratios, the overshoot beyond the bicubic upscale's range and the chroma ratio against it
 * and the local colour shift against it (`src/metrics/artefacts.ts`), summarised over the set, beside bicubic itself.
 *
 * ```sh
 * npx tsx bench/artefacts.ts --model models/default --lq ../shared/data/drealsr/lr [--t-s 500] [--limit 24]
 * ```
 * Prints one table row per model (repeat --model), in one run.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Upscaler } from '../src/graphs/upscaler.js';
import { readImageFile } from '../src/io/read-image-file.js';
import { artefactStats, type ArtefactStats } from '../src/metrics/artefacts.js';
import { bicubicUpscale } from '../src/metrics/matlab-imresize.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', multiple: true, default: ['models/default'] },
    lq: { type: 'string', default: '../shared/data/drealsr/lr' },
    't-s': { type: 'string', default: '500' },
    limit: { type: 'string', default: '24' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write('usage: npx tsx bench/artefacts.ts --model DIR [--model DIR…] [--lq DIR] [--t-s 500] [--limit 24]\n');
  process.exit(0);
}

const names = (await readdir(values.lq)).filter((n) => /\.(png|jpe?g)$/i.test(n)).sort();
const step = Math.max(1, Math.floor(names.length / Number(values.limit)));
const picked = names.filter((_, i) => i % step === 0).slice(0, Number(values.limit));

function meanFinite(xs: number[]): number {
  const f = xs.filter((x) => Number.isFinite(x));
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : Number.NaN;
}

function summary(label: string, stats: ArtefactStats[]): string {
  const mean = (f: (s: ArtefactStats) => number) => stats.reduce((a, s) => a + f(s), 0) / stats.length;
  const minBorder = (s: ArtefactStats) => Math.min(s.border.top, s.border.bottom, s.border.left, s.border.right);
  const maxBorder = (s: ArtefactStats) => Math.max(s.border.top, s.border.bottom, s.border.left, s.border.right);
  const worst = Math.min(...stats.map(minBorder));
  const washed = stats.filter((s) => s.chroma < 0.7).length;
  return [
    label.padEnd(40),
    mean(minBorder).toFixed(3),
    worst.toFixed(3),
    mean(maxBorder).toFixed(3),
    (100 * mean((s) => s.overshoot)).toFixed(3).padStart(7),
    mean((s) => s.chroma).toFixed(3),
    `${washed}/${stats.length}`.padEnd(10),
    mean((s) => s.chromaShift).toFixed(2).padStart(12),
    meanFinite(stats.map((s) => s.flatTexture)).toFixed(2),
  ].join('  ');
}

const lqs = await Promise.all(picked.map((n) => readImageFile(join(values.lq, n))));
const refs = lqs.map((lq) => bicubicUpscale(lq, 4));
process.stdout.write(`${picked.length} images of ${values.lq}, t_s ${values['t-s']}; reference = MATLAB bicubic ×4\n`);
process.stdout.write(`${'model'.padEnd(40)}  border(mean min, worst, mean max)  overshoot%  chroma  chroma<0.7  colour-shift  flat-texture(levels)\n`);
process.stdout.write(`${summary('bicubic', refs.map((r) => artefactStats(r, r)))}\n`);
for (const dir of values.model!) {
  const up = await Upscaler.load(dir);
  try {
    const stats: ArtefactStats[] = [];
    for (const [i, lq] of lqs.entries()) stats.push(artefactStats(await up.upscale(lq, { tS: Number(values['t-s']), id: picked[i]! }), refs[i]!));
    process.stdout.write(`${summary(dir, stats)}\n`);
  } finally {
    await up.dispose();
  }
}
