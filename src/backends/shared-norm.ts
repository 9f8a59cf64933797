/**
 * Shared GroupNorm statistics across tiles (the tiled-VAE technique of StableSR / multidiffusion-upscaler's
 * "Tiled VAE"): the tiles of one image run a network **in lockstep**, and at every GroupNorm the per-tile sums
 * are combined into the statistics of the whole image, which every tile then normalises with. Each tile counts
 * only the part of itself it *owns* (a partition of the image: every image position is owned by exactly one
 * tile), so overlapping tiles do not count shared pixels twice and the combined statistics are the whole image's
 * (up to how far a tile's activations at its owned cells differ from the whole image's: the receptive field at
 * the tile borders, and global attention).
 *
 * This file is the backend-independent part: the capability a backend offers (`SharedNormBackend`), how owned
 * regions map onto feature maps of any resolution (`cellWeights`), and the weighted statistics (`GroupStats`).
 * The ONNX backend implements the capability by cutting each graph at its GroupNorms
 * (`src/backends/onnx/shared-norm.ts`). {@link lockstepBackends} turns the capability into one plain `Backend` per
 * tile, so the very operators that run one image (encode, denoise, decode) run the tiles in lockstep
 * (src/operators/tiled-shared.ts).
 *
 * ```ts
 * const sn = sharedNormOf(backend);             // undefined: the backend runs tiles only independently
 * const outs = await sn!.runSharedNorm('vaeDecoder', [
 *   { inputs: { latent: zA }, owned: { x0: 0, x1: 0.625, y0: 0, y1: 1 } },
 *   { inputs: { latent: zB }, owned: { x0: 0.375, x1: 1, y0: 0, y1: 1 } },
 * ]);
 * ```
 */
import { Lockstep } from '../tiling/lockstep.js';
import { type OwnedRect, cellWeights } from '../tiling/ownership.js';
import type { Backend, HostTensor, SubNetwork } from './backend.js';

export { type OwnedRect, cellWeights } from '../tiling/ownership.js';

/** One tile of a lockstep run: its network inputs (batch 1) and the region it owns. */
export interface SharedNormTile {
  readonly inputs: Readonly<Record<string, HostTensor>>;
  readonly owned: OwnedRect;
}

export interface SharedNormOptions {
  /**
   * Also share spatial self-attention (default true): each tile's queries attend to the owned tokens of every
   * tile, as in the whole image (keys and values of the whole image at that layer are held on the host).
   */
  readonly attention?: boolean;
}

/** What a backend that can run tiles with shared GroupNorm statistics offers. */
export interface SharedNormBackend {
  /**
   * Run `net` on every tile (each batch 1) in lockstep, every GroupNorm normalising with the owned-weighted
   * statistics of all tiles together (and every spatial self-attention attending over all tiles' owned tokens);
   * outputs in tile order, named as `Backend.run`'s.
   */
  runSharedNorm(net: SubNetwork, tiles: readonly SharedNormTile[], opts?: SharedNormOptions): Promise<Record<string, HostTensor>[]>;
}

/** The shared-statistics capability of `b`, if it has one. */
export function sharedNormOf(b: Backend): SharedNormBackend | undefined {
  return typeof (b as Partial<SharedNormBackend>).runSharedNorm === 'function' ? (b as unknown as SharedNormBackend) : undefined;
}

/** One `Backend` per tile whose calls meet (src/tiling/lockstep.ts) and run together with shared statistics. */
export interface LockstepBackends {
  /** Tile `i`'s backend: `run(net, inputs)` (batch 1) waits for every tile's call of `net`, then resolves with tile `i`'s outputs. */
  readonly tiles: readonly Backend[];
  /** Fail every waiting and later call (a tile failed: the others must not wait for it). */
  abort(err: unknown): void;
  /** Tile `i` makes no further call (a tile that finished early must not leave the others waiting). */
  leave(index: number): void;
}

/**
 * Per-tile views of `backend`: tile `i` owns `owned[i]` (fractions of its network input), and a round in which
 * every tile has called `run` with the same sub-network is one `sn.runSharedNorm` over all of them. Calls of
 * different sub-networks in one round are a bug (they throw).
 *
 * ```ts
 * const ls = lockstepBackends(backend, sharedNormOf(backend)!, [ownedA, ownedB]);
 * const [zA, zB] = await Promise.all([encodeLatent(ls.tiles[0]!, facts, xA, 500), encodeLatent(ls.tiles[1]!, facts, xB, 500)]);
 * ```
 */
export function lockstepBackends(backend: Backend, sn: SharedNormBackend, owned: readonly OwnedRect[], opts: SharedNormOptions = {}): LockstepBackends {
  type Call = { readonly net: SubNetwork; readonly inputs: Readonly<Record<string, HostTensor>> };
  const lockstep = new Lockstep<Call, Record<string, HostTensor>>(owned.length, (calls, round) => {
    const net = calls[0]!.net;
    const other = calls.findIndex((c) => c.net !== net);
    if (other >= 0) throw new Error(`lockstep round ${round}: tile 0 runs ${net}, tile ${other} runs ${calls[other]!.net}`);
    return sn.runSharedNorm(net, calls.map((c, i) => ({ inputs: c.inputs, owned: owned[i]! })), opts);
  });
  const tiles = owned.map(
    (_, i): Backend => ({
      info: backend.info,
      run: (net, inputs) => lockstep.meet(i, { net, inputs }),
      dispose: async () => undefined, // the shared backend is its owner's to dispose
    }),
  );
  return { tiles, abort: (err) => lockstep.abort(err), leave: (i) => lockstep.leave(i) };
}

/**
 * Owned-weighted GroupNorm statistics of several tiles' feature maps `[1, C, h, w]` (float64 sums), finished as
 * PyTorch's GroupNorm does: mean and biased variance over each group's channels and positions, `rstd` =
 * 1/√(var + eps).
 */
export class GroupStats {
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;
  private weight = 0;

  constructor(readonly groups: number) {
    this.sum = new Float64Array(groups);
    this.sumSq = new Float64Array(groups);
  }

  /** Add one tile's feature map with the region it owns. */
  add(x: HostTensor, owned: OwnedRect): void {
    const [b, c, h, w] = x.shape as [number, number, number, number];
    if (x.shape.length !== 4 || b !== 1) throw new Error(`GroupStats: expected [1, C, h, w], got [${x.shape.join(', ')}]`);
    if (c % this.groups !== 0) throw new Error(`GroupStats: ${c} channels do not split into ${this.groups} groups`);
    const wx = cellWeights(w, owned.x0, owned.x1);
    const wy = cellWeights(h, owned.y0, owned.y1);
    let sx = 0;
    let sy = 0;
    for (const v of wx) sx += v;
    for (const v of wy) sy += v;
    if (sx * sy === 0) return;
    const per = c / this.groups;
    const d = x.data;
    for (let ch = 0; ch < c; ch++) {
      const g = Math.floor(ch / per);
      let s = 0;
      let q = 0;
      for (let i = 0; i < h; i++) {
        const wyi = wy[i]!;
        if (wyi === 0) continue;
        let rs = 0;
        let rq = 0;
        const base = (ch * h + i) * w;
        for (let j = 0; j < w; j++) {
          const wxj = wx[j]!;
          if (wxj === 0) continue;
          const v = d[base + j]!;
          rs += wxj * v;
          rq += wxj * v * v;
        }
        s += wyi * rs;
        q += wyi * rq;
      }
      this.sum[g] += s;
      this.sumSq[g] += q;
    }
    this.weight += sx * sy * per;
  }

  /** Mean and 1/√(var + eps) per group, as `[1, groups, 1]` tensors. */
  finish(eps: number): { mean: HostTensor; rstd: HostTensor } {
    if (!(this.weight > 0)) throw new Error('GroupStats: no tile owns any cell');
    const mean = new Float32Array(this.groups);
    const rstd = new Float32Array(this.groups);
    for (let g = 0; g < this.groups; g++) {
      const m = this.sum[g]! / this.weight;
      const v = Math.max(0, this.sumSq[g]! / this.weight - m * m);
      mean[g] = m;
      rstd[g] = 1 / Math.sqrt(v + eps);
    }
    return { mean: { shape: [1, this.groups, 1], data: mean }, rstd: { shape: [1, this.groups, 1], data: rstd } };
  }
}
