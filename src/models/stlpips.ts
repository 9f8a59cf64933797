/**
 * ST-LPIPS (shift-tolerant LPIPS, Ghildyal & Liu, ECCV 2022; PyPI `stlpips-pytorch` 0.0.2,
 * `stlpips.LPIPS(net=…, variant='shift_tolerant')`) over {@link NetOps}: AlexNet and VGG16 trunks, both trained
 * with their linear layers on LPIPS's human judgements (BAPPS). The LPIPS head is lpips.ts's:
 *
 * ```
 * x ∈ [-1, 1] → (x − shift) / scale → trunk features (5 slices)
 *   → unit-normalise over channels → (f₀ − f₁)² → 1×1 conv lin_k (no bias) → spatial mean → Σ_k   → [B, 1, 1, 1]
 * ```
 *
 * The trunks differ from LPIPS's in how they downsample: every stride-2 step is a stride-1 step followed by a
 * "BlurPool" (`models_lpf.Downsample(filt_size=3, stride=2, pad_more=True)`): reflection padding 2 on every side,
 * then the [1,2,1]⊗[1,2,1]/16 binomial filter per channel with stride 2.
 *
 * - AlexNet: conv11 (stride 1, pad 2) → blur ↓2 → ReLU | max-pool 3 (stride 1) → blur ↓2 → conv5 (pad 2) → ReLU |
 *   max-pool 3/1 → blur ↓2 → conv3 → ReLU | conv3 → ReLU | conv3 → ReLU.
 * - VGG16: the LPIPS slices, each 2×2 max-pool replaced by max-pool 2 (stride 1) → blur ↓2, so the conv indices
 *   of `features` shift by one per pool (slice5 holds 28, 30, 32).
 *
 * Weights: one safetensors file with the package's parameter names (made by `tools/convert_stlpips.py`),
 * including the blur buffers `net.sliceS.I.filt` (checked to be the binomial filter; they mark the file as
 * ST-LPIPS). Widths come from the weights, so small random fixtures share this code with the real networks.
 *
 * ```ts
 * const st = await loadStLpipsWeights('models/stlpips/alex_shift_tolerant.f16.safetensors');
 * const d = stLpips(ops, (n) => toTensor(st.weights.get(n)!), st.spec, pred, target); // NCHW in [-1, 1]
 * ```
 */
import type { WeightMap } from './params.js';
import type { NetOps, ParamLookup } from './net-ops.js';
import { normalizeChannels } from './lpips.js';
import { SafetensorsFile } from './safetensors.js';

export type StLpipsNet = 'alex' | 'vgg';

/** One step of a trunk slice (indices are those of the package's `features` Sequential). */
export type StLpipsStep =
  | { readonly op: 'conv'; readonly i: number; readonly k: number; readonly pad: number }
  | { readonly op: 'relu' }
  | { readonly op: 'maxpool'; readonly k: number }
  | { readonly op: 'blur'; readonly i: number };

const conv = (i: number, k: number, pad: number): StLpipsStep => ({ op: 'conv', i, k, pad });
const relu: StLpipsStep = { op: 'relu' };
const pool = (k: number): StLpipsStep => ({ op: 'maxpool', k });
const blur = (i: number): StLpipsStep => ({ op: 'blur', i });

/** The five slices of each trunk (`invariant_networks.alexnet` / `vggnet`, variant `shift_tolerant`). */
export const STLPIPS_SLICES: Readonly<Record<StLpipsNet, readonly (readonly StLpipsStep[])[]>> = {
  alex: [
    [conv(0, 11, 2), blur(1), relu],
    [pool(3), blur(4), conv(5, 5, 2), relu],
    [pool(3), blur(8), conv(9, 3, 1), relu],
    [conv(11, 3, 1), relu],
    [conv(13, 3, 1), relu],
  ],
  vgg: [
    [conv(0, 3, 1), relu, conv(2, 3, 1), relu],
    [pool(2), blur(5), conv(6, 3, 1), relu, conv(8, 3, 1), relu],
    [pool(2), blur(11), conv(12, 3, 1), relu, conv(14, 3, 1), relu, conv(16, 3, 1), relu],
    [pool(2), blur(19), conv(20, 3, 1), relu, conv(22, 3, 1), relu, conv(24, 3, 1), relu],
    [pool(2), blur(27), conv(28, 3, 1), relu, conv(30, 3, 1), relu, conv(32, 3, 1), relu],
  ],
};

/** The BlurPool's 1-D taps ([1, 2, 1] / 4; the 2-D filter is their outer product), stride and reflect padding. */
export const STLPIPS_BLUR = { taps: [0.25, 0.5, 0.25], stride: 2, pad: 2 } as const;

export interface StLpipsSpec {
  readonly net: StLpipsNet;
  /** Output channels of each of the 5 slices (alex 64, 192, 384, 256, 256; vgg 64, 128, 256, 512, 512). */
  readonly channels: readonly [number, number, number, number, number];
}

/** Every parameter name an ST-LPIPS weights file of trunk `net` holds (blur buffers included). */
export function stLpipsParamNames(net: StLpipsNet): string[] {
  const names = ['scaling_layer.shift', 'scaling_layer.scale'];
  STLPIPS_SLICES[net].forEach((steps, s) => {
    for (const st of steps) {
      if (st.op === 'conv') names.push(`net.slice${s + 1}.${st.i}.weight`, `net.slice${s + 1}.${st.i}.bias`);
      if (st.op === 'blur') names.push(`net.slice${s + 1}.${st.i}.filt`);
    }
  });
  for (let k = 0; k < 5; k++) names.push(`lin${k}.model.1.weight`);
  return names;
}

/**
 * Which trunk a set of parameter names is, or undefined when it is not ST-LPIPS (no blur buffers). LPIPS-VGG
 * files (lpips.ts) have no `.filt` tensors.
 */
export function stLpipsNetOf(names: Iterable<string>): StLpipsNet | undefined {
  const set = new Set(names);
  if (set.has('net.slice1.1.filt')) return 'alex';
  if (set.has('net.slice2.5.filt')) return 'vgg';
  return undefined;
}

/**
 * Check names and shapes of ST-LPIPS weights of trunk `net` and read the widths from them. Throws one message
 * naming every problem (missing tensor, wrong shape, broken channel chain).
 */
export function stLpipsSpecFromShapes(net: StLpipsNet, shapes: ReadonlyMap<string, readonly number[]>, source = 'ST-LPIPS weights'): StLpipsSpec {
  const shape = (n: string) => shapes.get(n);
  const missing = stLpipsParamNames(net).filter((n) => !shape(n));
  if (missing.length) {
    throw new Error(`${source}: not ST-LPIPS ${net} weights (missing ${missing.slice(0, 6).join('; missing ')}${missing.length > 6 ? `; … ${missing.length} missing` : ''})`);
  }
  const problems: string[] = [];
  const same = (a: readonly number[] | undefined, b: readonly number[]) => !!a && a.length === b.length && a.every((v, i) => v === b[i]);
  const expect = (n: string, want: readonly number[]) => {
    if (!same(shape(n), want)) problems.push(`${n} has shape [${shape(n)}], expected [${want}]`);
  };
  for (const n of ['scaling_layer.shift', 'scaling_layer.scale']) expect(n, [1, 3, 1, 1]);
  const channels: number[] = [];
  let cin = 3;
  STLPIPS_SLICES[net].forEach((steps, s) => {
    const first = steps.find((st) => st.op === 'conv')!;
    const cout = shape(`net.slice${s + 1}.${'i' in first ? first.i : ''}.weight`)![0]!;
    for (const st of steps) {
      const base = `net.slice${s + 1}.${'i' in st ? st.i : ''}`;
      if (st.op === 'conv') {
        expect(`${base}.weight`, [cout, cin, st.k, st.k]);
        expect(`${base}.bias`, [cout]);
        cin = cout;
      } else if (st.op === 'blur') {
        expect(`${base}.filt`, [cin, 1, 3, 3]);
      }
    }
    channels.push(cin);
    expect(`lin${s}.model.1.weight`, [1, cin, 1, 1]);
  });
  if (problems.length) throw new Error(`${source}: ${problems.join('; ')}`);
  return { net, channels: channels as unknown as StLpipsSpec['channels'] };
}

/** Throws unless every blur buffer is the [1,2,1]⊗[1,2,1]/16 filter the network computes with. */
export function checkStLpipsBlurs(net: StLpipsNet, weights: WeightMap, source = 'ST-LPIPS weights'): void {
  const t = STLPIPS_BLUR.taps;
  for (const name of stLpipsParamNames(net).filter((n) => n.endsWith('.filt'))) {
    const f = weights.get(name)!.data;
    for (let i = 0; i < f.length; i++) {
      const want = t[Math.floor((i % 9) / 3)]! * t[i % 3]!;
      if (Math.abs(f[i]! - want) > 1e-6) throw new Error(`${source}: ${name}[${i}] is ${f[i]}, not the [1,2,1]⊗[1,2,1]/16 blur (${want})`);
    }
  }
}

/** Read ST-LPIPS weights (either trunk, detected from the names), check them and return their spec. */
export async function loadStLpipsWeights(path: string): Promise<{ spec: StLpipsSpec; weights: WeightMap; metadata: Readonly<Record<string, string>> }> {
  const f = await SafetensorsFile.open(path);
  try {
    const net = stLpipsNetOf(f.entries.keys());
    if (!net) throw new Error(`${path}: not ST-LPIPS weights (no blur buffer net.slice1.1.filt or net.slice2.5.filt)`);
    const spec = stLpipsSpecFromShapes(net, new Map([...f.entries].map(([k, e]) => [k, e.shape] as const)), path);
    const weights = await f.readAll();
    checkStLpipsBlurs(net, weights, path);
    return { spec, weights, metadata: f.metadata };
  } finally {
    await f.close();
  }
}

/** BlurPool: reflect-pad 2, then the binomial blur with stride 2 (`models_lpf.Downsample(pad_more=True)`). */
function blurPool<T>(ops: NetOps<T>, x: T, channels: number): T {
  const p = STLPIPS_BLUR.pad;
  return ops.blur2d(ops.padReflect(x, [p, p, p, p]), channels, STLPIPS_BLUR.taps, STLPIPS_BLUR.stride);
}

/** The five trunk feature maps ST-LPIPS compares, of an already scaled input. */
export function stLpipsFeatures<T>(ops: NetOps<T>, p: ParamLookup<T>, spec: StLpipsSpec, x: T): T[] {
  const feats: T[] = [];
  let h = x;
  STLPIPS_SLICES[spec.net].forEach((steps, s) => {
    // Every conv of a slice has the slice's width (checked by stLpipsSpecFromShapes): h's channel count.
    let c = s === 0 ? 3 : spec.channels[s - 1]!;
    for (const st of steps) {
      if (st.op === 'conv') {
        h = ops.conv2d(h, p(`net.slice${s + 1}.${st.i}.weight`), p(`net.slice${s + 1}.${st.i}.bias`), { padding: st.pad });
        c = spec.channels[s]!;
      } else if (st.op === 'relu') {
        h = ops.relu(h);
      } else if (st.op === 'maxpool') {
        h = ops.maxPool2d(h, st.k, 1);
      } else {
        h = blurPool(ops, h, c);
      }
    }
    feats.push(h);
  });
  return feats;
}

/**
 * ST-LPIPS distance between `x0` and `x1` (NCHW, RGB in [-1, 1], same shape) → `[B, 1, 1, 1]`; with `perLayer`
 * the five layer terms as well (their sum is the distance). Both inputs go through the trunk in one batch.
 */
export function stLpips<T>(ops: NetOps<T>, p: ParamLookup<T>, spec: StLpipsSpec, x0: T, x1: T): T;
export function stLpips<T>(ops: NetOps<T>, p: ParamLookup<T>, spec: StLpipsSpec, x0: T, x1: T, perLayer: true): { value: T; layers: T[] };
export function stLpips<T>(ops: NetOps<T>, p: ParamLookup<T>, spec: StLpipsSpec, x0: T, x1: T, perLayer = false): T | { value: T; layers: T[] } {
  const both = ops.div(ops.sub(ops.concat([x0, x1], 0), p('scaling_layer.shift')), p('scaling_layer.scale'));
  const layers = stLpipsFeatures(ops, p, spec, both).map((f, k) => {
    const [f0, f1] = ops.split(normalizeChannels(ops, f, spec.channels[k]), 0, 2);
    const d = ops.sub(f0, f1);
    return ops.reduceMean(ops.conv2d(ops.mul(d, d), p(`lin${k}.model.1.weight`), null), [2, 3]);
  });
  const value = layers.slice(1).reduce((acc, l) => ops.add(acc, l), layers[0]!);
  return perLayer ? { value, layers } : value;
}
