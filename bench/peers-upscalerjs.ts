/**
 * Peers on DRealSR (93 real LQ 128² → HQ 512² pairs): bicubic ×4 (MATLAB-style) and UpscalerJS's ESRGAN slim /
 * medium / thick from npm on tfjs-wasm, in one run — quality (PSNR / SSIM on Y with pyiqa conventions, NIQE with
 * BasicSR's) and median ms per image (model load excluded), beside the anchors measured before
 * (`../shared/reference/ANCHORS.md`). Then the 1024×768 tiled-input timing of esrgan-slim and -thick (and of
 * `tadsr upscale` when `--tadsr-model DIR` is given and the inference graph is built).
 *
 * ```sh
 * npx tsx bench/peers-upscalerjs.ts                                  # all 93, slim + medium + thick, tiled rows
 * npx tsx bench/peers-upscalerjs.ts --models esrgan-slim --limit 10  # quick
 * npx tsx bench/peers-upscalerjs.ts --thick-limit 20 --no-tiled      # thick on the first 20 only
 * npx tsx bench/peers-upscalerjs.ts --tadsr-model models/small      # add the tadsr rows
 * npx tsx bench/peers-upscalerjs.ts --models '' --gan-peers realesr-general-x4v3,realesrgan-x4plus --no-tiled
 * ```
 * Options: `--lr DIR --hr DIR` (default ../shared/data/drealsr/{lr,hr}), `--models a,b`, `--limit N`,
 * `--thick-limit N`, `--out DIR` (SR PNGs, default $TMPDIR/tadsr-peers; outside the repo), `--json FILE`,
 * `--no-tiled`, `--tiled-models a,b` (default esrgan-slim,esrgan-thick), `--tiled-input FILE`, `--patch N`,
 * `--padding N`, `--t-s N` (tadsr row, default 500), `--no-quality` (timing only), `--gan-peers a,b` (Real-ESRGAN
 * nets converted by tools/convert-peer.ts, run on tadsr's ONNX backend; also in the tiled rows),
 * `--gan-peers-limit N` (the first N pairs only, e.g. for x4plus). `--models ''` runs no
 * UpscalerJS model on the 93 (e.g. for a tiled-only run).
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir, cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { decodeImage } from '../src/io/decode-image.js';
import { writeImageFile } from '../src/io/encode-image.js';
import { resolveImagePaths, idFromPath } from '../src/io/list-images.js';
import type { RgbImage } from '../src/image.js';
import { bicubicUpscale } from '../src/metrics/index.js';
import { mean, median, parseArgs } from './peers-args.js';
import { loadQuality, type Quality } from './peers-quality.js';
import { loadTadsrPeer } from './peers-tadsr.js';
import { UPSCALERJS_MODELS, loadUpscalerJsPeer, type UpscalerJsModelName } from './peers-upscalerjs-model.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = parseArgs(process.argv.slice(2));
const lrDir = args.get('lr') ?? resolve(repoRoot, '../shared/data/drealsr/lr');
const hrDir = args.get('hr') ?? resolve(repoRoot, '../shared/data/drealsr/hr');
const outDir = args.get('out') ?? join(tmpdir(), 'tadsr-peers');
const limit = args.int('limit', 1_000_000);
const thickLimit = args.int('thick-limit', limit);
const models = args.list('models', UPSCALERJS_MODELS) as UpscalerJsModelName[];
const tiledModels = args.list('tiled-models', ['esrgan-slim', 'esrgan-thick']) as UpscalerJsModelName[];
const patch = args.int('patch', 128);
const padding = args.int('padding', 16);
const tS = args.int('t-s', 500);
const tadsrModel = args.get('tadsr-model');
const ganPeers = args.list('gan-peers', []);
const ganPeersLimit = args.int('gan-peers-limit', limit);

/** Anchors from ANCHORS.md (measured earlier on this machine, unloaded). */
const ANCHORS: Record<string, { psnr: number; ssim: number; niqe: number; ms?: number }> = {
  bicubic: { psnr: 30.55, ssim: 0.83, niqe: 10.85 },
  'esrgan-slim': { psnr: 30.27, ssim: 0.823, niqe: 9.45, ms: 407 },
  'esrgan-medium': { psnr: 30.38, ssim: 0.824, niqe: 9.53, ms: 970 },
  'esrgan-thick': { psnr: 30.57, ssim: 0.832, niqe: 10.78, ms: 8691 },
};

interface Row {
  method: string;
  n: number;
  loadMs: number;
  msMedian: number;
  msMean: number;
  quality?: Quality;
}

type Upscale = (lq: RgbImage) => Promise<RgbImage>;

async function runMethod(
  method: string,
  up: Upscale,
  pairs: readonly { id: string; lq: RgbImage; hr: RgbImage }[],
  loadMs: number,
  quality: ((sr: RgbImage, hr: RgbImage) => Quality) | null,
): Promise<Row> {
  const times: number[] = [];
  const qs: Quality[] = [];
  for (const [i, p] of pairs.entries()) {
    const t0 = performance.now();
    const sr = await up(p.lq);
    times.push(performance.now() - t0);
    await writeImageFile(join(outDir, method, `${p.id}.png`), sr);
    if (quality) qs.push(quality(sr, p.hr));
    process.stderr.write(`\r${method}: ${i + 1}/${pairs.length}  ${times[times.length - 1].toFixed(0)} ms   `);
  }
  process.stderr.write('\n');
  const row: Row = { method, n: pairs.length, loadMs, msMedian: median(times), msMean: mean(times) };
  if (quality) {
    row.quality = {
      psnr: mean(qs.map((q) => q.psnr)),
      ssim: mean(qs.map((q) => q.ssim)),
      niqe: mean(qs.map((q) => q.niqe)),
    };
  }
  return row;
}

function fmt(x: number | undefined, d: number): string {
  return x === undefined || Number.isNaN(x) ? '–' : x.toFixed(d);
}

async function main(): Promise<void> {
  const lrPaths = resolveImagePaths(lrDir).slice(0, limit);
  const pairs = [];
  for (const p of lrPaths) {
    const id = idFromPath(p);
    const hrPath = join(hrDir, p.slice(p.lastIndexOf('/') + 1));
    if (!existsSync(hrPath)) throw new Error(`no HR pair for ${p} (looked for ${hrPath})`);
    pairs.push({ id, lq: await decodeImage(await readFile(p)), hr: await decodeImage(await readFile(hrPath)) });
  }
  const quality = args.flag('no-quality') ? { fn: null, reason: '--no-quality' } : await loadQuality();
  console.log(`# peers on ${lrDir} (${pairs.length} pairs), SR PNGs under ${outDir}`);
  console.log(`# machine: ${cpus().length}× ${cpus()[0]?.model ?? '?'}, load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (shared)`);
  if (!quality.fn) console.log(`# quality: not measured (${quality.reason})`);
  else console.log(`# quality: ${quality.description}`);

  const rows: Row[] = [];
  const done = (r: Row) => {
    rows.push(r);
    console.log(`# done ${r.method}: ${JSON.stringify(r)}`);
  };
  done(await runMethod('bicubic', async (lq) => bicubicUpscale(lq, 4), pairs, 0, quality.fn));
  for (const name of models) {
    const t0 = performance.now();
    const peer = await loadUpscalerJsPeer(name);
    const loadMs = performance.now() - t0;
    await peer.upscale(pairs[0].lq); // warm-up (kernel compilation / allocation), not timed
    const subset = name === 'esrgan-thick' ? pairs.slice(0, thickLimit) : pairs;
    const before = peer.numTensors();
    done(await runMethod(name, (lq) => peer.upscale(lq), subset, loadMs, quality.fn));
    const leaked = peer.numTensors() - before;
    if (leaked !== 0) console.log(`# ${name}: ${leaked} tfjs tensors not released`);
    await peer.dispose();
  }
  if (tadsrModel) {
    const tadsr = await loadTadsrPeer(tadsrModel, tS);
    if ('skipped' in tadsr) console.log(`# tadsr: skipped (${tadsr.skipped})`);
    else {
      await tadsr.upscale(pairs[0].lq);
      console.log(`# tadsr: ${tadsrModel} on ${tadsr.runtime}`);
      done(await runMethod(`tadsr t_s=${tS}`, tadsr.upscale, pairs, tadsr.loadMs, quality.fn));
      await tadsr.dispose();
    }
  }

  for (const name of ganPeers) {
    const peer = await loadTadsrPeer(name, tS);
    if ('skipped' in peer) {
      console.log(`# ${name}: skipped (${peer.skipped})`);
      continue;
    }
    await peer.upscale(pairs[0].lq);
    console.log(`# ${name}: GAN peer on ${peer.runtime}`);
    done(await runMethod(name, peer.upscale, pairs.slice(0, ganPeersLimit), peer.loadMs, quality.fn));
    await peer.dispose();
  }
  if (ganPeers.length > 0 && ganPeersLimit < pairs.length) {
    const sub = pairs.slice(0, ganPeersLimit);
    done({ ...(await runMethod('bicubic', async (lq) => bicubicUpscale(lq, 4), sub, 0, quality.fn)), method: `bicubic (first ${sub.length})` });
  }

  // Reference rows on the same subset, when thick ran on fewer images.
  if (thickLimit < pairs.length && models.includes('esrgan-thick')) {
    const sub = pairs.slice(0, thickLimit);
    done({ ...(await runMethod('bicubic', async (lq) => bicubicUpscale(lq, 4), sub, 0, quality.fn)), method: `bicubic (first ${sub.length})` });
  }
  const bic = rows[0].msMedian;
  console.log('\n| method | images | PSNR-Y ↑ | SSIM-Y ↑ | NIQE ↓ | ms/image (median) | × bicubic | load ms | anchor PSNR / SSIM / NIQE / ms |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const a = ANCHORS[r.method];
    const anchor = a ? `${a.psnr} / ${a.ssim} / ${a.niqe} / ${a.ms ?? '–'}` : '–';
    console.log(
      `| ${r.method} | ${r.n} | ${fmt(r.quality?.psnr, 2)} | ${fmt(r.quality?.ssim, 3)} | ${fmt(r.quality?.niqe, 2)} | ` +
        `${r.msMedian.toFixed(0)} | ${(r.msMedian / bic).toFixed(1)} | ${r.loadMs.toFixed(0)} | ${anchor} |`,
    );
  }
  const slim = rows.find((r) => r.method === 'esrgan-slim');
  if (slim) console.log(`# load factor vs the anchor machine state: esrgan-slim ${(slim.msMedian / 407).toFixed(2)}× its 407 ms anchor`);

  // ---- 1024×768 input, tiled ----
  const tiledRows: { method: string; ms: number; out: string }[] = [];
  if (!args.flag('no-tiled')) {
    const input = await tiledInput(args.get('tiled-input'));
    console.log(`\n# tiled input: ${input.source} → ${input.img.width}×${input.img.height}, UpscalerJS patchSize ${patch}, padding ${padding}`);
    for (const name of tiledModels) {
      const peer = await loadUpscalerJsPeer(name);
      await peer.upscale(pairs[0].lq);
      const t0 = performance.now();
      const sr = await peer.upscale(input.img, { patchSize: patch, padding });
      const ms = performance.now() - t0;
      const out = join(outDir, 'tiled', `${name}.png`);
      await writeImageFile(out, sr);
      tiledRows.push({ method: `${name} (patch ${patch}, padding ${padding})`, ms, out });
      console.log(`# ${name}: ${(ms / 1000).toFixed(1)} s → ${sr.width}×${sr.height}, load average ${loadavg()[0].toFixed(2)}`);
      await peer.dispose();
    }
    for (const name of ganPeers) {
      const peer = await loadTadsrPeer(name, tS);
      if ('skipped' in peer) continue;
      const t0 = performance.now();
      const sr = await peer.upscaleTiled(input.img);
      const ms = performance.now() - t0;
      const out = join(outDir, 'tiled', `${name}.png`);
      await writeImageFile(out, sr);
      tiledRows.push({ method: `${name} (${peer.tiling})`, ms, out });
      await peer.dispose();
    }
    if (tadsrModel) {
      const tadsr = await loadTadsrPeer(tadsrModel, tS);
      if (!('skipped' in tadsr)) {
        const t0 = performance.now();
        const sr = await tadsr.upscaleTiled(input.img);
        const ms = performance.now() - t0;
        const out = join(outDir, 'tiled', 'tadsr.png');
        await writeImageFile(out, sr);
        tiledRows.push({ method: `tadsr t_s=${tS} (${tadsr.tiling})`, ms, out });
        await tadsr.dispose();
      }
    }
    console.log('\n| method, 1024×768 → 4096×3072 | seconds | × first row |');
    console.log('|---|---|---|');
    for (const r of tiledRows) console.log(`| ${r.method} | ${(r.ms / 1000).toFixed(1)} | ${(r.ms / tiledRows[0].ms).toFixed(2)} |`);
  }

  const jsonPath = args.get('json');
  if (jsonPath) {
    await mkdir(dirname(resolve(jsonPath)), { recursive: true });
    await writeFile(jsonPath, JSON.stringify({ lrDir, hrDir, rows, tiledRows, loadavg: loadavg() }, null, 2));
  }
}

/** A real photo at 1024×768: the given file, else the first Kodak image of ../shared/data/train, cover-resized. */
async function tiledInput(path: string | undefined): Promise<{ img: RgbImage; source: string }> {
  const source = path ?? resolveImagePaths(resolve(repoRoot, '../shared/data/train/kodak24'))[0];
  const bytes = await sharp(source).resize(1024, 768, { fit: 'cover', kernel: 'lanczos3' }).png().toBuffer();
  return { img: await decodeImage(bytes), source };
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
