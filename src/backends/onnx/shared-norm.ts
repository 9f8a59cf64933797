/**
 * Shared GroupNorm statistics across tiles on ONNX Runtime (see `src/backends/shared-norm.ts` for the idea).
 *
 * A sub-network is traced once more through {@link GroupNormCutOps}, which writes every GroupNorm as
 * `(x − mean)·rstd` with `mean` / `rstd` left as free values (`gn_cut{k}_mean`, `gn_cut{k}_rstd`, `[1, groups, 1]`),
 * and marks a *cut* before it. {@link segmentGraph} splits the node list at the cuts into K+1 graphs: segment `s`
 * takes the values it reads that earlier segments made (skip connections included) and returns the values later
 * segments read — so the GroupNorm input `x_k` of cut `k` comes out of the segments before it. The runner then
 * runs segment `k` for every tile, combines the tiles' owned-weighted sums of `x_k` into one mean / rstd per group
 * ({@link GroupStats}), feeds them to segment `k+1` of every tile, and so on. With one tile owning everything
 * the result is the plain graph's (tested); the cost is K+1 session runs per tile and net, and the host holding
 * every tile's live values between segments (about the whole image's activations at one layer, plus skips).
 */
import type { HostTensor, SubNetwork } from '../backend.js';
import { GroupStats, cellWeights, type SharedNormBackend, type SharedNormOptions, type SharedNormTile } from '../shared-norm.js';
import type { OnnxGraphBuilder } from './graph-builder.js';
import { OnnxNetOps } from './onnx-net-ops.js';
import { DataType, decodeModel, encodeModel, type ModelProtoData, type NodeProtoData, type TensorProtoData, type ValueInfoProtoData } from './onnx-proto.js';

/** One GroupNorm the graph was cut before. */
export interface GroupNormCut {
  readonly kind: 'groupNorm';
  /** The GroupNorm's input value. */
  readonly x: string;
  readonly groups: number;
  readonly eps: number;
  /** Names of the free `[1, groups, 1]` statistics the normalisation reads. */
  readonly mean: string;
  readonly rstd: string;
  /** Index of the first node after the cut. */
  readonly at: number;
}

/**
 * One spatial self-attention the graph was cut before: its queries attend to the owned tokens of *every* tile
 * (`kAll`, `vAll`: `[1, L_all, C]`, free values) instead of their own tile's keys and values.
 */
export interface AttentionCut {
  readonly kind: 'attention';
  /** The tile's own keys and values `[1, L, C]`. */
  readonly k: string;
  readonly v: string;
  readonly kAll: string;
  readonly vAll: string;
  readonly at: number;
}

export type SharedCut = GroupNormCut | AttentionCut;

/**
 * `OnnxNetOps` whose GroupNorms read their statistics from outside the graph, and (with `attention`) whose
 * spatial self-attentions read keys and values from outside it, recording where the graph must be cut.
 * Cross-attention (keys from a text context) is left alone: a self-attention is one whose q, k and v are
 * projections of the same tokens.
 */
export class GroupNormCutOps extends OnnxNetOps {
  readonly cuts: SharedCut[] = [];
  /** Linear outputs → their input (to tell self- from cross-attention). */
  private readonly linearInput = new Map<string, string>();

  constructor(
    g: OnnxGraphBuilder,
    private readonly opts: { readonly attention?: boolean } = {},
  ) {
    super(g);
  }

  override groupNorm(x: string, groups: number, gamma: string, beta: string, eps: number): string {
    const g = this.g;
    const k = this.cuts.length;
    const cut: GroupNormCut = { kind: 'groupNorm', x, groups, eps, mean: `gn_cut${k}_mean`, rstd: `gn_cut${k}_rstd`, at: g.nodeCount };
    this.cuts.push(cut);
    const grouped = g.op('Reshape', [x, g.constInt64([0, groups, -1])]);
    const normed = g.op('Mul', [g.op('Sub', [grouped, cut.mean]), cut.rstd]);
    const back = g.op('Reshape', [normed, g.op('Shape', [x])]);
    const axes = g.constInt64([1, 2]);
    return g.op('Add', [g.op('Mul', [back, g.op('Unsqueeze', [gamma, axes])]), g.op('Unsqueeze', [beta, axes])]);
  }

  override linear(x: string, w: string, b: string | null): string {
    const y = super.linear(x, w, b);
    this.linearInput.set(y, x);
    return y;
  }

  override attention(q: string, k: string, v: string, heads: number): string {
    const src = this.linearInput.get(q);
    const self = src !== undefined && this.linearInput.get(k) === src && this.linearInput.get(v) === src;
    if (this.opts.attention !== true || !self) return super.attention(q, k, v, heads);
    const j = this.cuts.length;
    const cut: AttentionCut = { kind: 'attention', k, v, kAll: `attn_cut${j}_k`, vAll: `attn_cut${j}_v`, at: this.g.nodeCount };
    this.cuts.push(cut);
    return super.attention(q, cut.kAll, cut.vAll, heads);
  }
}

/** One piece of a cut graph. */
export interface GraphSegment {
  readonly bytes: Uint8Array;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly nodeCount: number;
}

/** A graph cut at its GroupNorms: `segments.length === cuts.length + 1`. */
export interface SegmentedGraph {
  readonly segments: readonly GraphSegment[];
  readonly cuts: readonly SharedCut[];
  /** The whole graph's output names. */
  readonly outputs: readonly string[];
  /** Per value, the last segment that reads it (the whole graph's outputs: `segments.length`). */
  readonly lastUse: ReadonlyMap<string, number>;
}

/** A float value of unknown shape (segment boundaries carry activations of any rank). */
function floatValue(name: string): ValueInfoProtoData {
  return { name, type: { tensor_type: { elem_type: DataType.FLOAT } } } as unknown as ValueInfoProtoData;
}

/** Ops whose output is int64 when their first input is (shape arithmetic). */
const SHAPE_PROPAGATING = new Set(['Slice', 'Concat', 'Squeeze', 'Unsqueeze', 'Gather', 'Reshape', 'Add', 'Sub', 'Mul', 'Div', 'Identity', 'Range']);

/** Split `model` (traced with {@link GroupNormCutOps}, which recorded `cuts`) into one graph per segment. */
export function segmentGraph(model: ModelProtoData, cuts: readonly SharedCut[]): SegmentedGraph {
  const nodes = model.graph.node;
  const bounds = [...cuts.map((c) => c.at), nodes.length];
  const segOfNode: number[] = [];
  let s = 0;
  for (let i = 0; i < nodes.length; i++) {
    while (i >= bounds[s]!) s++;
    segOfNode.push(s);
  }
  const count = cuts.length + 1;
  const inits = new Map<string, TensorProtoData>(model.graph.initializer.map((t) => [t.name, t]));
  const int64 = new Set<string>(model.graph.initializer.filter((t) => t.data_type === DataType.INT64).map((t) => t.name));
  const producedIn = new Map<string, number>();
  const lastUse = new Map<string, number>();
  nodes.forEach((n, i) => {
    const seg = segOfNode[i]!;
    for (const v of n.input) if (v !== '' && !inits.has(v)) lastUse.set(v, Math.max(lastUse.get(v) ?? -1, seg));
    const castToInt = n.op_type === 'Cast' && n.attribute.some((a) => a.name === 'to' && a.i === DataType.INT64);
    const isInt = n.op_type === 'Shape' || castToInt || (SHAPE_PROPAGATING.has(n.op_type) && int64.has(n.input[0] ?? ''));
    for (const v of n.output) {
      producedIn.set(v, seg);
      if (isInt) int64.add(v);
    }
  });
  const outputs = model.graph.output.map((o) => o.name);
  for (const o of outputs) lastUse.set(o, count);
  // the host reads each cut's values right after the cut's segment (an attention cut's k and v are read by no
  // later node: the attention reads the gathered ones)
  cuts.forEach((c, j) => {
    for (const v of c.kind === 'groupNorm' ? [c.x] : [c.k, c.v]) lastUse.set(v, Math.max(lastUse.get(v) ?? -1, j + 0.5));
  });
  const segments: GraphSegment[] = [];
  for (let k = 0; k < count; k++) {
    const segNodes: NodeProtoData[] = nodes.filter((_, i) => segOfNode[i] === k);
    const ins: string[] = [];
    const usedInits: TensorProtoData[] = [];
    const seenIn = new Set<string>();
    for (const n of segNodes) {
      for (const v of n.input) {
        if (v === '' || seenIn.has(v)) continue;
        seenIn.add(v);
        if (inits.has(v)) usedInits.push(inits.get(v)!);
        else if (producedIn.get(v) !== k) ins.push(v);
      }
    }
    const outs: string[] = [];
    for (const n of segNodes) for (const v of n.output) if ((lastUse.get(v) ?? -1) > k) outs.push(v);
    for (const v of [...ins, ...outs]) {
      if (int64.has(v)) throw new Error(`segment ${k} would carry the int64 value ${v} across a GroupNorm cut`);
    }
    const graph: ModelProtoData = {
      ir_version: model.ir_version,
      producer_name: 'tadsr',
      opset_import: model.opset_import,
      graph: { name: `${model.graph.name}_gn${k}`, node: segNodes, initializer: usedInits, input: ins.map(floatValue), output: outs.map(floatValue) },
    };
    segments.push({ bytes: encodeModel(graph), inputs: ins, outputs: outs, nodeCount: segNodes.length });
  }
  return { segments, cuts, outputs, lastUse };
}

/** What the runner needs from the ONNX backend. */
export interface SharedNormHost {
  /** Emit `net` traced with `netOps` (ONNX bytes). */
  emit(net: SubNetwork, netOps: (g: OnnxGraphBuilder) => OnnxNetOps): Uint8Array;
  /** Create session `key` from bytes. */
  create(key: string, bytes: Uint8Array): Promise<void>;
  run(key: string, feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>>;
}

/** The runner: `runSharedNorm` plus what the last run held. */
export interface SharedNormRunner extends SharedNormBackend {
  /** Most bytes of live tile values the host held between segments in the last run. */
  readonly lastPeakBytes: number;
  /** Number of cuts of `net` (after it was prepared with or without shared attention). */
  cutCount(net: SubNetwork, attention: boolean): number | undefined;
}

function take(st: Map<string, HostTensor>, name: string, net: SubNetwork, k: number): HostTensor {
  const v = st.get(name);
  if (v === undefined) throw new Error(`${net} cut ${k}: ${name} is not at hand`);
  return v;
}

/** Spatial size `[h, w]` of `L` tokens of a feature map with the aspect ratio of the tile's first 4-D input. */
function tokenGrid(L: number, tile: SharedNormTile): [number, number] {
  const img = Object.values(tile.inputs).find((t) => t.shape.length === 4);
  if (img === undefined) throw new Error('shared attention needs a 4-D tile input to place tokens');
  const [, , H, W] = img.shape as [number, number, number, number];
  const w = Math.round(Math.sqrt((L * W) / H));
  const h = L / w;
  if (!Number.isInteger(h) || h * W !== w * H) throw new Error(`cannot place ${L} tokens on a ${H}x${W} tile`);
  return [h, w];
}

/** The tokens `[1, L, C]` each tile owns (cell weight > ½), concatenated in tile order: `[1, L_all, C]`. */
function ownedTokens(parts: readonly { tokens: HostTensor; tile: SharedNormTile }[]): HostTensor {
  const rows: Float32Array[] = [];
  let C = 0;
  for (const { tokens, tile } of parts) {
    const [, L, c] = tokens.shape as [number, number, number];
    C = c;
    const [h, w] = tokenGrid(L, tile);
    const wx = cellWeights(w, tile.owned.x0, tile.owned.x1);
    const wy = cellWeights(h, tile.owned.y0, tile.owned.y1);
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) if (wy[i]! * wx[j]! > 0.5) rows.push(tokens.data.subarray((i * w + j) * c, (i * w + j + 1) * c));
  }
  const data = new Float32Array(rows.length * C);
  rows.forEach((r, i) => data.set(r, i * C));
  return { shape: [1, rows.length, C], data };
}

/** Cut graphs (emitted and loaded on first use per net) and the lockstep loop. */
export function createSharedNormRunner(host: SharedNormHost): SharedNormRunner {
  const prepared = new Map<string, Promise<SegmentedGraph>>();
  const cutCounts = new Map<string, number>();
  let lastPeakBytes = 0;

  const keyOf = (net: SubNetwork, attention: boolean) => `${net}~${attention ? 'gn+attn' : 'gn'}`;

  async function prepare(net: SubNetwork, attention: boolean): Promise<SegmentedGraph> {
    let cutOps: GroupNormCutOps | undefined;
    const bytes = host.emit(net, (g) => (cutOps = new GroupNormCutOps(g, { attention })));
    const sg = segmentGraph(decodeModel(bytes), cutOps!.cuts);
    for (const [k, seg] of sg.segments.entries()) await host.create(`${keyOf(net, attention)}${k}`, seg.bytes);
    cutCounts.set(keyOf(net, attention), sg.cuts.length);
    return sg;
  }

  function segmented(net: SubNetwork, attention: boolean): Promise<SegmentedGraph> {
    const key = keyOf(net, attention);
    let p = prepared.get(key);
    if (p === undefined) {
      p = prepare(net, attention);
      prepared.set(key, p);
      p.catch(() => prepared.delete(key));
    }
    return p;
  }

  async function runSharedNorm(net: SubNetwork, tiles: readonly SharedNormTile[], opts: SharedNormOptions = {}): Promise<Record<string, HostTensor>[]> {
    if (tiles.length === 0) return [];
    const attention = opts.attention ?? true;
    const sg = await segmented(net, attention);
    const states = tiles.map((t) => {
      for (const [k, v] of Object.entries(t.inputs)) {
        if (v.shape[0] !== 1) throw new Error(`runSharedNorm: input ${k} of a tile must have batch 1, got [${v.shape.join(', ')}]`);
      }
      return new Map<string, HostTensor>(Object.entries(t.inputs));
    });
    let peak = 0;
    const held = () => {
      let b = 0;
      for (const st of states) for (const v of st.values()) b += v.data.byteLength;
      peak = Math.max(peak, b);
    };
    for (const [k, seg] of sg.segments.entries()) {
      for (const st of states) {
        const feeds: Record<string, HostTensor> = {};
        for (const name of seg.inputs) {
          const v = st.get(name);
          if (v === undefined) throw new Error(`${net} segment ${k}: missing input ${name}`);
          feeds[name] = v;
        }
        if (seg.nodeCount > 0) for (const [name, v] of Object.entries(await host.run(`${keyOf(net, attention)}${k}`, feeds))) st.set(name, v);
        held();
        for (const name of seg.inputs) if ((sg.lastUse.get(name) ?? -1) <= k) st.delete(name);
      }
      const cut = sg.cuts[k];
      if (cut === undefined) continue;
      if (cut.kind === 'groupNorm') {
        const stats = new GroupStats(cut.groups);
        tiles.forEach((t, i) => stats.add(take(states[i]!, cut.x, net, k), t.owned));
        const { mean, rstd } = stats.finish(cut.eps);
        for (const st of states) {
          st.set(cut.mean, mean);
          st.set(cut.rstd, rstd);
        }
      } else {
        const kAll = ownedTokens(tiles.map((t, i) => ({ tokens: take(states[i]!, cut.k, net, k), tile: t })));
        const vAll = ownedTokens(tiles.map((t, i) => ({ tokens: take(states[i]!, cut.v, net, k), tile: t })));
        for (const st of states) {
          st.set(cut.kAll, kAll);
          st.set(cut.vAll, vAll);
          for (const name of [cut.k, cut.v]) if ((sg.lastUse.get(name) ?? -1) <= k + 0.5) st.delete(name);
        }
      }
    }
    lastPeakBytes = peak;
    return states.map((st) => Object.fromEntries(sg.outputs.map((n) => [n, st.get(n)!])));
  }

  return {
    runSharedNorm,
    get lastPeakBytes() {
      return lastPeakBytes;
    },
    cutCount: (net, attention) => cutCounts.get(keyOf(net, attention)),
  };
}
