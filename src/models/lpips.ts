/**
 * LPIPS-VGG (v0.1, Zhang et al. 2018, the `lpips` package's `LPIPS(net='vgg')`) as a network over
 * {@link NetOps}: it runs on any backend and, on TF.js, gives gradients — the perceptual term of TADSR's loss.
 *
 * ```
 * x ∈ [-1, 1] → (x − shift) / scale → VGG16 features relu1_2, relu2_2, relu3_3, relu4_3, relu5_3
 *   → unit-normalise over channels (f / (‖f‖₂ + 1e-10)) → (f₀ − f₁)² → 1×1 conv lin_k (no bias)
 *   → spatial mean → sum over the 5 layers                                   → [B, 1, 1, 1]
 * ```
 *
 * Weights are read by path from one safetensors file with LPIPS's parameter names (`scaling_layer.shift`,
 * `net.slice1.0.weight`, …, `lin0.model.1.weight`, …; made by `tools/convert_lpips.py`). Widths are read from
 * the weights, so small random fixtures share this code with the real network.
 *
 * ```ts
 * const lp = await loadLpipsWeights('models/lpips/lpips_vgg_v0.1.safetensors');
 * const p = (name: string) => toTensor(lp.weights.get(name)!);     // backend-specific tensor creation
 * const d = lpipsVgg(ops, p, lp.spec, pred, target);               // pred, target: NCHW in [-1, 1]
 * ```
 */
import type { WeightMap } from './params.js';
import type { NetOps, ParamLookup } from './net-ops.js';
import { readSafetensors } from './safetensors.js';

/** VGG16 `features` indices of the 3×3 convs of each LPIPS slice; a 2×2 max-pool opens slices 2–5. */
export const LPIPS_VGG_SLICES: readonly (readonly number[])[] = [
  [0, 2],
  [5, 7],
  [10, 12, 14],
  [17, 19, 21],
  [24, 26, 28],
];

/** LPIPS's `normalize_tensor` epsilon. */
export const LPIPS_EPS = 1e-10;

export interface LpipsSpec {
  /** Output channels of each of the 5 slices (64, 128, 256, 512, 512 for the real VGG16). */
  readonly channels: readonly [number, number, number, number, number];
}

/** Every parameter name an LPIPS-VGG weights file must hold. */
export function lpipsParamNames(): string[] {
  const names = ['scaling_layer.shift', 'scaling_layer.scale'];
  LPIPS_VGG_SLICES.forEach((convs, s) => {
    for (const i of convs) names.push(`net.slice${s + 1}.${i}.weight`, `net.slice${s + 1}.${i}.bias`);
  });
  for (let k = 0; k < 5; k++) names.push(`lin${k}.model.1.weight`);
  return names;
}

/**
 * Check names and shapes of LPIPS-VGG weights and read the widths from them. Throws one message naming every
 * problem (missing tensor, wrong shape, channel chain broken).
 */
export function lpipsSpecFromShapes(shapes: ReadonlyMap<string, readonly number[]>, source = 'LPIPS weights'): LpipsSpec {
  const problems: string[] = [];
  const shape = (n: string) => shapes.get(n);
  for (const n of lpipsParamNames()) if (!shape(n)) problems.push(`missing ${n}`);
  if (problems.length) throw new Error(`${source}: not LPIPS-VGG v0.1 weights (${problems.slice(0, 6).join('; ')}${problems.length > 6 ? `; … ${problems.length} problems` : ''})`);
  const channels: number[] = [];
  let cin = 3;
  const same = (a: readonly number[] | undefined, b: readonly number[]) => !!a && a.length === b.length && a.every((v, i) => v === b[i]);
  for (const n of ['scaling_layer.shift', 'scaling_layer.scale']) if (!same(shape(n), [1, 3, 1, 1])) problems.push(`${n} has shape [${shape(n)}], expected [1,3,1,1]`);
  LPIPS_VGG_SLICES.forEach((convs, s) => {
    const cout = shape(`net.slice${s + 1}.${convs[0]}.weight`)![0];
    for (const i of convs) {
      const w = `net.slice${s + 1}.${i}.weight`;
      if (!same(shape(w), [cout, cin, 3, 3])) problems.push(`${w} has shape [${shape(w)}], expected [${cout},${cin},3,3]`);
      if (!same(shape(`net.slice${s + 1}.${i}.bias`), [cout])) problems.push(`net.slice${s + 1}.${i}.bias has shape [${shape(`net.slice${s + 1}.${i}.bias`)}], expected [${cout}]`);
      cin = cout;
    }
    channels.push(cout);
    const lin = `lin${s}.model.1.weight`;
    if (!same(shape(lin), [1, cout, 1, 1])) problems.push(`${lin} has shape [${shape(lin)}], expected [1,${cout},1,1]`);
  });
  if (problems.length) throw new Error(`${source}: ${problems.join('; ')}`);
  return { channels: channels as unknown as LpipsSpec['channels'] };
}

/** Read LPIPS-VGG weights (safetensors, LPIPS parameter names) and their spec. */
export async function loadLpipsWeights(path: string): Promise<{ spec: LpipsSpec; weights: WeightMap }> {
  const weights = await readSafetensors(path);
  const shapes = new Map([...weights].map(([k, v]) => [k, v.shape] as const));
  return { spec: lpipsSpecFromShapes(shapes, path), weights };
}

/** The five VGG16 feature maps LPIPS compares (relu1_2 … relu5_3) of an already scaled input. */
export function lpipsVggFeatures<T>(ops: NetOps<T>, p: ParamLookup<T>, x: T): T[] {
  const feats: T[] = [];
  let h = x;
  LPIPS_VGG_SLICES.forEach((convs, s) => {
    if (s > 0) h = ops.maxPool2d(h, 2, 2);
    for (const i of convs) {
      h = ops.relu(ops.conv2d(h, p(`net.slice${s + 1}.${i}.weight`), p(`net.slice${s + 1}.${i}.bias`), { padding: 1 }));
    }
    feats.push(h);
  });
  return feats;
}

/**
 * `f / (sqrt(Σ_c f² + 1e-20) + 1e-10)` over the channel axis of NCHW; `channels` = C. LPIPS's `normalize_tensor`
 * has no 1e-20 under the root: it changes no float32 value where a feature vector is non-zero, and keeps the
 * gradient finite where ReLU zeroed a whole vector (√0 has an infinite derivative, and inf·0 = NaN).
 */
export function normalizeChannels<T>(ops: NetOps<T>, f: T, channels: number): T {
  const sumSq = ops.scale(ops.reduceMean(ops.mul(f, f), [1]), channels);
  return ops.div(f, ops.addScalar(ops.sqrt(ops.addScalar(sumSq, LPIPS_EPS * LPIPS_EPS)), LPIPS_EPS));
}

/**
 * LPIPS distance between `x0` and `x1` (NCHW, RGB in [-1, 1], same shape) → `[B, 1, 1, 1]`; with `perLayer` the
 * five layer terms as well (their sum is the distance). Both inputs go through the VGG in one batch.
 */
export function lpipsVgg<T>(ops: NetOps<T>, p: ParamLookup<T>, spec: LpipsSpec, x0: T, x1: T): T;
export function lpipsVgg<T>(ops: NetOps<T>, p: ParamLookup<T>, spec: LpipsSpec, x0: T, x1: T, perLayer: true): { value: T; layers: T[] };
export function lpipsVgg<T>(
  ops: NetOps<T>,
  p: ParamLookup<T>,
  spec: LpipsSpec,
  x0: T,
  x1: T,
  perLayer = false,
): T | { value: T; layers: T[] } {
  const shift = p('scaling_layer.shift');
  const scale = p('scaling_layer.scale');
  const both = ops.div(ops.sub(ops.concat([x0, x1], 0), shift), scale);
  const feats = lpipsVggFeatures(ops, p, both);
  const layers = feats.map((f, k) => {
    const [f0, f1] = ops.split(normalizeChannels(ops, f, spec.channels[k]), 0, 2);
    const d = ops.sub(f0, f1);
    return ops.reduceMean(ops.conv2d(ops.mul(d, d), p(`lin${k}.model.1.weight`), null), [2, 3]);
  });
  const value = layers.slice(1).reduce((acc, l) => ops.add(acc, l), layers[0]);
  return perLayer ? { value, layers } : value;
}
