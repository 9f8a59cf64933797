/**
 * Tiled upscaling with statistics shared across the tiles, so the tiled output matches the whole-image output
 * (StableSR / multidiffusion-upscaler's tiled VAE, carried through the whole one-step model): every tile runs
 * encode → UNet → decode in lockstep on a backend with the shared-statistics capability
 * (`src/backends/shared-norm.ts`; the ONNX backend has it), every GroupNorm of the three networks normalising with
 * the statistics of the whole image (each tile counting only the part it owns, `tileOwnership`), and the AdaIN
 * colour fix uses the whole image's channel statistics too; spatial self-attention attends over every tile's owned
 * tokens. What remains per tile: the receptive field at tile borders (blended away by the Gaussian weights).
 *
 * Cost (bench/tile-gap.ts): one session run per GroupNorm segment per tile, and the host holds every tile's live
 * activations between segments — memory grows with the image (about the whole image's activations at one layer
 * plus skip connections) instead of staying at one tile's.
 *
 * ```ts
 * const handled = await upscaleRowsSharedNorm(upscaler, lq, { tS: 500, tile: 128, overlap: 32, … }, sink);
 * if (!handled) … // one tile, or a backend without the capability: tile independently
 * ```
 */
import type { Backend, HostTensor, SubNetwork } from '../backends/backend.js';
import { type SharedNormBackend, type SharedNormOptions, type SharedNormTile, cellWeights, sharedNormOf } from '../backends/shared-norm.js';
import { type ChannelStats, ADAIN_EPS, adainWithStats } from '../color/adain.js';
import { type ColorFixMode, applyColorFix } from '../color/color-fix.js';
import { type RgbImage, cropImage } from '../image.js';
import { type ModelFacts, decodeLatent, encodeLatent, latentSize, unetEps } from '../operators/net-calls.js';
import { imageToTensor, tensorToImage } from '../operators/tensor-image.js';
import { Rng } from '../random/rng.js';
import { bicubicUpsample } from '../resize/bicubic-upsample.js';
import { type OneStepFormula, applyLinear, oneStepCoefficients } from '../schedule/one-step.js';
import type { RowSink } from '../tiling/blend-accumulator.js';
import { type OwnedPixels, tileOwnership } from '../tiling/ownership.js';
import { planTiles } from '../tiling/plan.js';
import { tileImageRows } from '../operators/tiled.js';

/** What the flow needs of an `Upscaler`. */
export interface SharedNormModel {
  readonly backend: Backend;
  readonly facts: ModelFacts;
  readonly scale: number;
}

export interface SharedNormUpscaleOptions {
  readonly tile: number;
  readonly overlap: number;
  /** LQ pixels read around each tile (bicubic support) so tiles upsample as the whole image does. */
  readonly margin: number;
  readonly tS: number;
  readonly colorFix: ColorFixMode;
  readonly formula: OneStepFormula;
  readonly seed?: number;
  readonly id?: string;
  /** The UNet condition `[1, T, D]` (absent: the model's fixed one). */
  readonly context?: HostTensor;
  readonly onTile?: (index: number, count: number) => void;
  /** Share spatial self-attention across tiles too (default true; see `SharedNormOptions`). */
  readonly attention?: boolean;
}

/**
 * A `Backend` over `sn` that treats batch item `i` as tile `i` (owning `owned[i]`): `encodeLatent`, `unetEps` and
 * `decodeLatent` then run all tiles in lockstep unchanged.
 */
export function tilesAsBatch(backend: Backend, sn: SharedNormBackend, owned: readonly SharedNormTile['owned'][], opts: SharedNormOptions = {}): Backend {
  const n = owned.length;
  const slice = (t: HostTensor, i: number): HostTensor => {
    const per = t.data.length / t.shape[0]!;
    return { shape: [1, ...t.shape.slice(1)], data: t.data.subarray(i * per, (i + 1) * per) };
  };
  return {
    info: backend.info,
    run: async (net: SubNetwork, inputs) => {
      for (const [k, t] of Object.entries(inputs)) if (t.shape[0] !== n) throw new Error(`tilesAsBatch: ${k} has batch ${t.shape[0]}, expected ${n} tiles`);
      const outs = await sn.runSharedNorm(net, owned.map((o, i) => ({ inputs: Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, slice(t, i)])), owned: o })), opts);
      const joined: Record<string, HostTensor> = {};
      for (const name of Object.keys(outs[0]!)) {
        const parts = outs.map((o) => o[name]!);
        const data = new Float32Array(parts.reduce((a, p) => a + p.data.length, 0));
        let at = 0;
        for (const p of parts) {
          data.set(p.data, at);
          at += p.data.length;
        }
        joined[name] = { shape: [n, ...parts[0]!.shape.slice(1)], data };
      }
      return joined;
    },
    dispose: async () => undefined,
  };
}

/** Stack batch-1 tensors of one shape into a batch. */
function stack(ts: readonly HostTensor[]): HostTensor {
  const per = ts[0]!.data.length;
  const data = new Float32Array(per * ts.length);
  ts.forEach((t, i) => data.set(t.data, i * per));
  return { shape: [ts.length, ...ts[0]!.shape.slice(1)], data };
}

/** Owned-weighted per-channel mean and std (unbiased, + eps, as `channelStats`) of tiles of one image. */
function sharedChannelStats(imgs: readonly RgbImage[], owned: readonly SharedNormTile['owned'][]): ChannelStats {
  const s = new Float64Array(3);
  const q = new Float64Array(3);
  let n = 0;
  imgs.forEach((img, k) => {
    const o = owned[k]!;
    const wx = cellWeights(img.width, o.x0, o.x1);
    const wy = cellWeights(img.height, o.y0, o.y1);
    for (let y = 0; y < img.height; y++) {
      if (wy[y] === 0) continue;
      for (let x = 0; x < img.width; x++) {
        const w = wy[y]! * wx[x]!;
        if (w === 0) continue;
        n += w;
        for (let c = 0; c < 3; c++) {
          const v = img.data[(y * img.width + x) * 3 + c]!;
          s[c] += w * v;
          q[c] += w * v * v;
        }
      }
    }
  });
  const mean = Float64Array.from(s, (v) => v / n);
  const std = Float64Array.from(q, (v, c) => Math.sqrt(Math.max(0, v - n * mean[c]! * mean[c]!) / Math.max(1, n - 1) + ADAIN_EPS));
  return { mean, std };
}

/**
 * Stream the SR rows of `lq` to `sink`, tiles sharing statistics. Returns false (and does nothing) when the image
 * is one tile or the backend cannot share statistics: the caller then tiles independently.
 */
export async function upscaleRowsSharedNorm(m: SharedNormModel, lq: RgbImage, o: SharedNormUpscaleOptions, sink: RowSink): Promise<boolean> {
  const sn = sharedNormOf(m.backend);
  const plan = planTiles(lq.width, lq.height, { tile: o.tile, overlap: o.overlap });
  if (sn === undefined || plan.tiles.length < 2) return false;
  const s = m.scale;
  const own: OwnedPixels[] = tileOwnership(plan, Math.max(1, m.facts.pixelMultiple / s));
  const ups: RgbImage[] = [];
  const xs: HostTensor[] = [];
  for (const r of plan.tiles) {
    const x0 = Math.max(0, r.x - o.margin);
    const y0 = Math.max(0, r.y - o.margin);
    const x1 = Math.min(lq.width, r.x + r.width + o.margin);
    const y1 = Math.min(lq.height, r.y + r.height + o.margin);
    const up = bicubicUpsample(cropImage(lq, x0, y0, x1 - x0, y1 - y0), s);
    const lqUp = cropImage(up, (r.x - x0) * s, (r.y - y0) * s, r.width * s, r.height * s);
    ups.push(lqUp);
    xs.push(imageToTensor(lqUp, m.facts.pixelMultiple));
  }
  const x = stack(xs);
  const [, , H, W] = x.shape as [number, number, number, number];
  // owned parts as fractions of each tile's (padded) network input, and of its output image
  const ownedIn = plan.tiles.map((r, i) => ({ x0: ((own[i]!.x0 - r.x) * s) / W, x1: ((own[i]!.x1 - r.x) * s) / W, y0: ((own[i]!.y0 - r.y) * s) / H, y1: ((own[i]!.y1 - r.y) * s) / H }));
  const ownedOut = plan.tiles.map((r, i) => ({ x0: (own[i]!.x0 - r.x) / r.width, x1: (own[i]!.x1 - r.x) / r.width, y0: (own[i]!.y0 - r.y) / r.height, y1: (own[i]!.y1 - r.y) / r.height }));
  const b = tilesAsBatch(m.backend, sn, ownedIn, o.attention === undefined ? {} : { attention: o.attention });

  let noise: Float32Array | undefined;
  if (o.seed !== undefined) {
    const per = latentSize(m.facts, H, W);
    noise = new Float32Array(per * plan.tiles.length);
    plan.tiles.forEach((_, i) => Rng.forImage(o.seed!, `${o.id ?? 'image'}#${i}`, 'posterior').fillNormal(noise!.subarray(i * per, (i + 1) * per)));
  }
  const zL = await encodeLatent(b, m.facts, x, o.tS, noise ? { noise } : {});
  const context = o.context === undefined ? undefined : stack(plan.tiles.map(() => o.context!));
  const eps = await unetEps(b, m.facts, zL, o.tS, context === undefined ? {} : { context });
  const zHat = { shape: zL.shape, data: applyLinear(oneStepCoefficients(o.formula, o.tS), zL.data, eps.data) };
  const px = await decodeLatent(b, m.facts, zHat);
  let srs = plan.tiles.map((_, i) => tensorToImage(px, ups[i]!.width, ups[i]!.height, i));
  if (o.colorFix === 'adain') {
    const t = sharedChannelStats(srs, ownedOut);
    const r = sharedChannelStats(ups, ownedOut);
    srs = srs.map((sr) => adainWithStats(sr, t, r));
  } else {
    srs = srs.map((sr, i) => applyColorFix(o.colorFix, sr, ups[i]!));
  }
  await tileImageRows(lq, { tile: o.tile, overlap: o.overlap }, s, (_t, _r, index, count) => {
    o.onTile?.(index, count);
    return srs[index]!;
  }, sink);
  return true;
}
