/**
 * Where the tiled-vs-whole gap comes from, and what shared GroupNorm statistics buy (issue 9, item 4).
 *
 * For each model and tile size, on one real LQ crop: the whole image run as one tile is the reference; then
 * - stage by stage, each network alone on tiles cut from the *whole* run's own input (so only that network's
 *   tiling differs): SNR (dB) of the tiles' owned cells against the whole run's, tiles independent vs shared
 *   statistics (GroupNorm only, GroupNorm + spatial self-attention) — the encoder, the UNet, the decoder;
 * - the bicubic margin: max |tile's upsampled LQ − the whole upsampled LQ's crop|;
 * - end to end (`Upscaler.upscale`): PSNR (RGB, [0, 1], float) of the tiled output against the whole output,
 *   independent vs shared (GroupNorm only / + attention), with the model's colour fix and with none; time and the host bytes the lockstep held.
 *
 * ```sh
 * nice -n 10 npx tsx bench/tile-gap.ts --model models/default --model models/small-taef2/snapshot/teacher \
 *   --image ../shared/data/train/kodak24/kodim03.png --size 192 --tiles 128/32,96/32,64/16
 * ```
 */
import { parseArgs } from 'node:util';
import type { Backend, HostTensor } from '../src/backends/backend.js';
import type { OnnxBackend } from '../src/backends/onnx/onnx-backend.js';
import { lockstepBackends, sharedNormOf } from '../src/backends/shared-norm.js';
import { upscaleGraph } from '../src/graphs/upscale-graph.js';
import { Upscaler } from '../src/graphs/upscaler.js';
import { collectRows, runFrame } from '../src/operators/tiled.js';
import { cropImage, type RgbImage } from '../src/image.js';
import { readImageFile } from '../src/io/read-image-file.js';
import { decodeLatent, encodeLatent, unetEps } from '../src/operators/net-calls.js';
import { imageToTensor } from '../src/operators/tensor-image.js';
import { bicubicUpsample } from '../src/resize/bicubic-upsample.js';
import { applyLinear, oneStepCoefficients } from '../src/schedule/one-step.js';
import { tileOwnership } from '../src/tiling/ownership.js';
import { planTiles } from '../src/tiling/plan.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', multiple: true, default: ['models/default'] },
    image: { type: 'string', default: '../shared/data/train/kodak24/kodim03.png' },
    size: { type: 'string', default: '192' },
    tiles: { type: 'string', default: '128/32' },
    't-s': { type: 'string', default: '500' },
    stages: { type: 'boolean', default: true },
  },
  allowNegative: true,
});

const N = Number(values.size);
const src = await readImageFile(values.image);
const lq = cropImage(src, Math.floor((src.width - N) / 2), Math.floor((src.height - N) / 2), N, N);
const tS = Number(values['t-s']);
const S = 4;

function psnr(a: Float32Array, b: Float32Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  return 10 * Math.log10(1 / (se / a.length));
}

/** `[B, C, H, W]` batch item `i`, window `[x0, x0+w) × [y0, y0+h)`. */
function crop(t: HostTensor, i: number, x0: number, y0: number, w: number, h: number): Float32Array {
  const [, c, H, W] = t.shape as [number, number, number, number];
  const out = new Float32Array(c * h * w);
  for (let k = 0; k < c; k++) for (let y = 0; y < h; y++) out.set(t.data.subarray(((i * c + k) * H + y0 + y) * W + x0, ((i * c + k) * H + y0 + y) * W + x0 + w), (k * h + y) * w);
  return out;
}

/** Batch item `i` of `t` as a batch of one. */
function item(t: HostTensor, i: number): HostTensor {
  const per = t.data.length / t.shape[0]!;
  return { shape: [1, ...t.shape.slice(1)], data: t.data.subarray(i * per, (i + 1) * per) };
}

/** `f` on every tile (batch item) of `t`, tile `i` on `backends[i]`, all at once; the outputs stacked. */
async function perTile(backends: readonly Backend[], t: HostTensor, f: (b: Backend, x: HostTensor) => Promise<HostTensor>): Promise<HostTensor> {
  return stack(await Promise.all(backends.map((b, i) => f(b, item(t, i)))));
}

function stack(ts: HostTensor[]): HostTensor {
  const per = ts[0]!.data.length;
  const data = new Float32Array(per * ts.length);
  ts.forEach((t, i) => data.set(t.data, i * per));
  return { shape: [ts.length, ...ts[0]!.shape.slice(1)], data };
}

/** SNR (dB) of the tiles' owned cells against the whole tensor's: var(whole) / mse. */
function ownedSnr(whole: HostTensor, tiles: HostTensor, rects: { tx: number; ty: number; x0: number; x1: number; y0: number; y1: number }[], f: number): number {
  let se = 0;
  let n = 0;
  const wholeOwned: number[] = [];
  rects.forEach((r, i) => {
    const w = Math.round((r.x1 - r.x0) * f);
    const h = Math.round((r.y1 - r.y0) * f);
    const a = crop(tiles, i, Math.round((r.x0 - r.tx) * f), Math.round((r.y0 - r.ty) * f), w, h);
    const b = crop(whole, 0, Math.round(r.x0 * f), Math.round(r.y0 * f), w, h);
    for (let k = 0; k < a.length; k++) {
      se += (a[k]! - b[k]!) ** 2;
      wholeOwned.push(b[k]!);
    }
    n += a.length;
  });
  const mean = wholeOwned.reduce((x, y) => x + y, 0) / wholeOwned.length;
  const v = wholeOwned.reduce((x, y) => x + (y - mean) ** 2, 0) / wholeOwned.length;
  return 10 * Math.log10(v / (se / n));
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : 'inf');
process.stdout.write(`image ${values.image} centre ${N}x${N} LQ → ${N * S}², t_s ${tS}\n`);
for (const dir of values.model!) {
  const up = await Upscaler.load(dir);
  const be = up.backend as OnnxBackend;
  const m = up.model.manifest;
  try {
    let t0 = performance.now();
    const whole = await up.upscale(lq, { tS, tile: N });
    const wholeNone = await up.upscale(lq, { tS, tile: N, colorFix: 'none' });
    process.stdout.write(`\n## ${dir} (colour fix ${m.colorFix}); whole image: ${((performance.now() - t0) / 2000).toFixed(1)} s per run\n`);
    for (const spec of values.tiles.split(',')) {
      const [tile, overlap] = spec.split('/').map(Number) as [number, number];
      const plan = planTiles(N, N, { tile, overlap });
      const own = tileOwnership(plan, Math.max(1, up.facts.pixelMultiple / S));
      if (values.stages) {
        // stage by stage on the whole run's own intermediate tensors
        const xW = imageToTensor(bicubicUpsample(lq, S), up.facts.pixelMultiple);
        const zW = await encodeLatent(be, up.facts, xW, tS);
        const eW = await unetEps(be, up.facts, zW, tS);
        const zhW = { shape: zW.shape, data: applyLinear(oneStepCoefficients(m.formula, tS), zW.data, eW.data) };
        const pW = await decodeLatent(be, up.facts, zhW);
        const rects = plan.tiles.map((r, i) => ({ tx: r.x, ty: r.y, ...own[i]! }));
        const T = tile * S;
        const ownedIn = plan.tiles.map((r, i) => ({ x0: (own[i]!.x0 - r.x) / tile, x1: (own[i]!.x1 - r.x) / tile, y0: (own[i]!.y0 - r.y) / tile, y1: (own[i]!.y1 - r.y) / tile }));
        const shared = () => lockstepBackends(be, sharedNormOf(be)!, ownedIn).tiles;
        const sharedGn = () => lockstepBackends(be, sharedNormOf(be)!, ownedIn, { attention: false }).tiles;
        const independent = () => plan.tiles.map(() => be);
        const lat = T / up.facts.vaeDownsample;
        const cutT = (t: HostTensor, f: number, side: number) => stack(plan.tiles.map((r) => ({ shape: [1, t.shape[1]!, side, side], data: crop(t, 0, r.x * f, r.y * f, side, side) })));
        const xT = cutT(xW, S, T);
        const zT = cutT(zW, S / up.facts.vaeDownsample, lat);
        const zhT = cutT(zhW, S / up.facts.vaeDownsample, lat);
        const latF = S / up.facts.vaeDownsample;
        // bicubic margin: each tile's own upsampling against the whole one's crop
        let marginErr = 0;
        for (const r of plan.tiles) {
          const x0 = Math.max(0, r.x - 3), y0 = Math.max(0, r.y - 3);
          const x1 = Math.min(N, r.x + r.width + 3), y1 = Math.min(N, r.y + r.height + 3);
          const u = imageToTensor(cropImage(bicubicUpsample(cropImage(lq, x0, y0, x1 - x0, y1 - y0), S), (r.x - x0) * S, (r.y - y0) * S, T, T));
          const w = crop(xW, 0, r.x * S, r.y * S, T, T);
          for (let k = 0; k < w.length; k++) marginErr = Math.max(marginErr, Math.abs(u.data[k]! - w[k]!));
        }
        const row = async (label: string, bs: () => readonly Backend[]) => {
          const zt = await perTile(bs(), xT, (b, x) => encodeLatent(b, up.facts, x, tS));
          const et = await perTile(bs(), zT, (b, z) => unetEps(b, up.facts, z, tS));
          const pt = await perTile(bs(), zhT, (b, z) => decodeLatent(b, up.facts, z));
          return `${label}: encoder ${fmt(ownedSnr(zW, zt, rects, latF))} dB, UNet ${fmt(ownedSnr(eW, et, rects, latF))} dB, decoder ${fmt(ownedSnr(pW, pt, rects, S))} dB`;
        };
        process.stdout.write(`tile ${tile}/${overlap} (${plan.tiles.length} tiles), per-stage SNR of owned cells vs whole (bicubic margin max err ${marginErr.toExponential(1)}):\n`);
        process.stdout.write(`  ${await row('independent     ', independent)}\n`);
        process.stdout.write(`  ${await row('shared GN       ', sharedGn)}\n`);
        process.stdout.write(`  ${await row('shared GN + attn', shared)} (peak host ${(be.sharedNormPeakBytes / 2 ** 20).toFixed(0)} MiB in the decoder)\n`);
      }
      for (const [label, ref, cf] of [[`colour fix ${m.colorFix}`, whole, undefined], ['colour fix none', wholeNone, 'none']] as const) {
        const runs: string[] = [];
        for (const mode of ['independent', 'shared GN', 'shared GN + attn'] as const) {
          const rss0 = process.memoryUsage().rss;
          t0 = performance.now();
          const opts = { tS, tile, overlap, ...(cf ? { colorFix: cf } : {}) };
          let out: RgbImage;
          if (mode === 'shared GN') {
            // the graph `Upscaler` runs, with GroupNorm shared and attention per tile
            const common = { tS, tile, overlap, colorFix: cf ?? m.colorFix, formula: m.formula, sharedNorm: { attention: false } };
            out = await collectRows(N * S, N * S, async (sink) => void (await runFrame({ id: 'image', lq }, upscaleGraph(be, up.facts, { ...common, rows: () => sink }))));
          } else out = await up.upscale(lq, { ...opts, sharedNorm: mode !== 'independent' });
          const ms = performance.now() - t0;
          runs.push(`${mode} ${psnr(out.data, ref.data).toFixed(2)} dB (${(ms / 1000).toFixed(1)} s${mode !== 'independent' ? `, decoder lockstep peak ${(be.sharedNormPeakBytes / 2 ** 20).toFixed(0)} MiB` : ''}, rss +${((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(0)} MiB)`);
        }
        process.stdout.write(`  end to end, ${label}: ${runs.join(' | ')}\n`);
      }
    }
  } finally {
    await up.dispose();
  }
}
