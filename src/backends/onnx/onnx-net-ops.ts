/**
 * `NetOps<string>` for ONNX: every op emits nodes into an `OnnxGraphBuilder`; a handle is a value name.
 * Opset 18, operators ONNX Runtime's CPU provider implements natively:
 * GroupNorm = Reshape → InstanceNormalization → Reshape → affine; LayerNormalization; exact GELU via Erf;
 * attention via MatMul/Softmax; nearest ×2 via Resize (PyTorch's `nearest`).
 */
import type { NetOps } from '../../models/net-ops.js';
import type { OnnxGraphBuilder } from './graph-builder.js';

export class OnnxNetOps implements NetOps<string> {
  constructor(readonly g: OnnxGraphBuilder) {}

  conv2d(
    x: string,
    w: string,
    b: string | null,
    opts: { readonly stride?: number; readonly padding?: number; readonly pads?: readonly [number, number, number, number] } = {},
  ): string {
    const s = opts.stride ?? 1;
    const p = opts.padding ?? 0;
    const pads = opts.pads ?? [p, p, p, p];
    const attrs = { strides: { ints: [s, s] }, pads: { ints: pads } };
    const shape = this.g.initializerData(w)?.shape;
    if (b !== null && shape !== undefined && shape[2] === 1 && shape[3] === 1 && Math.min(shape[0]!, shape[1]!) < 8) {
      // ONNX Runtime 1.22's WebGPU Conv drops (or misreads) the bias of 1×1 convolutions with ≤ 4 input and
      // output channels (e.g. the VAE's 4→4 post_quant_conv): add the bias as a separate node instead, with the
      // constant first so ConvAddFusion does not fold it back into the Conv. Same maths on every provider.
      return this.g.op('Add', [this.channelBias(b, shape[0]!), this.g.op('Conv', [x, w], attrs)]);
    }
    return this.g.op('Conv', b === null ? [x, w] : [x, w, b], attrs);
  }

  /** A `[C]` bias as a `[C,1,1]` value (a derived initializer when its data is at hand). */
  private channelBias(b: string, channels: number): string {
    const name = `${b}__c11`;
    if (this.g.initializerData(name) !== undefined) return name;
    const t = this.g.initializerData(b);
    if (t === undefined || t.data.length !== channels) return this.g.op('Unsqueeze', [b, this.g.constInt64([1, 2])]);
    this.g.forget(b);
    return this.g.initializer(name, { shape: [channels, 1, 1], data: t.data });
  }

  /** `x @ wᵀ + b`; an initializer weight is stored pre-transposed (no Transpose node at run time). */
  linear(x: string, w: string, b: string | null): string {
    const y = this.g.op('MatMul', [x, this.transposed(w)]);
    return b === null ? y : this.g.op('Add', [y, b]);
  }

  private transposed(w: string): string {
    const name = `${w}__T`;
    if (this.g.initializerData(name) !== undefined) return name;
    const t = this.g.initializerData(w);
    const [o, i] = (t?.shape ?? [0, 0]) as [number, number];
    if (t === undefined || t.shape.length !== 2 || t.data.length !== o * i) {
      return this.g.op('Transpose', [w], { perm: { ints: [1, 0] } });
    }
    const data = new Float32Array(o * i);
    for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) data[c * o + r] = t.data[r * i + c]!;
    this.g.forget(w); // only the transposed copy is stored, unless another node reads `w`
    return this.g.initializer(name, { shape: [i, o], data });
  }

  groupNorm(x: string, groups: number, gamma: string, beta: string, eps: number): string {
    const g = this.g;
    const grouped = g.op('Reshape', [x, g.constInt64([0, groups, -1])]);
    const ones = g.constFloat(new Array<number>(groups).fill(1), [groups]);
    const zeros = g.constFloat(new Array<number>(groups).fill(0), [groups]);
    const normed = g.op('InstanceNormalization', [grouped, ones, zeros], { epsilon: { f: eps } });
    const back = g.op('Reshape', [normed, g.op('Shape', [x])]);
    const axes = g.constInt64([1, 2]);
    return g.op('Add', [g.op('Mul', [back, g.op('Unsqueeze', [gamma, axes])]), g.op('Unsqueeze', [beta, axes])]);
  }

  layerNorm(x: string, gamma: string, beta: string, eps: number): string {
    return this.g.op('LayerNormalization', [x, gamma, beta], { axis: { i: -1 }, epsilon: { f: eps } });
  }

  silu(x: string): string {
    return this.g.op('Mul', [x, this.g.op('Sigmoid', [x])]);
  }

  gelu(x: string): string {
    const g = this.g;
    const erf = g.op('Erf', [g.op('Mul', [x, g.constFloat([Math.SQRT1_2])])]);
    return g.op('Mul', [g.op('Mul', [x, g.constFloat([0.5])]), g.op('Add', [erf, g.constFloat([1])])]);
  }

  add(a: string, b: string): string {
    return this.g.op('Add', [a, b]);
  }

  sub(a: string, b: string): string {
    return this.g.op('Sub', [a, b]);
  }

  mul(a: string, b: string): string {
    return this.g.op('Mul', [a, b]);
  }

  scale(x: string, s: number): string {
    return this.g.op('Mul', [x, this.g.constFloat([s])]);
  }

  /** Any rank: flatten to `[B, -1]`, multiply by `v` as `[B, 1]`, reshape back (no rank needed at build time). */
  perSample(x: string, v: string): string {
    const g = this.g;
    const flat = g.op('Reshape', [x, g.constInt64([0, -1])]);
    const scaled = g.op('Mul', [flat, g.op('Unsqueeze', [v, g.constInt64([1])])]);
    return g.op('Reshape', [scaled, g.op('Shape', [x])]);
  }

  expandSpatial(x: string): string {
    return this.g.op('Unsqueeze', [x, this.g.constInt64([2, 3])]);
  }

  toTokens(x: string): string {
    const flat = this.g.op('Reshape', [x, this.g.constInt64([0, 0, -1])]);
    return this.g.op('Transpose', [flat], { perm: { ints: [0, 2, 1] } });
  }

  fromTokens(tokens: string, like: string): string {
    const g = this.g;
    const chw = g.op('Transpose', [tokens], { perm: { ints: [0, 2, 1] } });
    const hw = g.op('Slice', [g.op('Shape', [like]), g.constInt64([2]), g.constInt64([4])]);
    const shape = g.op('Concat', [g.constInt64([0, -1]), hw], { axis: { i: 0 } });
    return g.op('Reshape', [chw, shape]);
  }

  attention(q: string, k: string, v: string, heads: number): string {
    const g = this.g;
    const split = (t: string) => g.op('Reshape', [t, g.constInt64([0, 0, heads, -1])]);
    const qh = g.op('Transpose', [split(q)], { perm: { ints: [0, 2, 1, 3] } });
    const kt = g.op('Transpose', [split(k)], { perm: { ints: [0, 2, 3, 1] } });
    const vh = g.op('Transpose', [split(v)], { perm: { ints: [0, 2, 1, 3] } });
    // scale = 1/sqrt(head_dim), head_dim read from q's shape at run time
    const dim = g.op('Cast', [g.op('Slice', [g.op('Shape', [qh]), g.constInt64([3]), g.constInt64([4])])], { to: { i: 1 } });
    const scale = g.op('Reciprocal', [g.op('Sqrt', [dim])]);
    const scores = g.op('MatMul', [g.op('Mul', [qh, scale]), kt]);
    const probs = g.op('Softmax', [scores], { axis: { i: -1 } });
    const out = g.op('Transpose', [g.op('MatMul', [probs, vh])], { perm: { ints: [0, 2, 1, 3] } });
    return g.op('Reshape', [out, g.constInt64([0, 0, -1])]);
  }

  upsampleNearest2x(x: string): string {
    return this.g.op('Resize', [x, '', this.g.constFloat([1, 1, 2, 2], [4])], {
      mode: { s: 'nearest' },
      coordinate_transformation_mode: { s: 'asymmetric' },
      nearest_mode: { s: 'floor' },
    });
  }

  concat(xs: readonly string[], axis: number): string {
    return this.g.op('Concat', xs, { axis: { i: axis } });
  }

  split(x: string, axis: number, parts: number): string[] {
    return this.g.node('Split', [x], { axis: { i: axis }, num_outputs: { i: parts } }, parts);
  }

  timestepEmbedding(t: string, dim: number, flipSinToCos: boolean, downscaleFreqShift: number): string {
    const g = this.g;
    const half = Math.floor(dim / 2);
    // float32 arithmetic as diffusers' get_timestep_embedding (torch float32)
    const freqs = Array.from({ length: half }, (_, i) =>
      Math.fround(Math.exp(Math.fround(Math.fround(-Math.log(10000) * i) / (half - downscaleFreqShift)))),
    );
    const args = g.op('Mul', [g.op('Unsqueeze', [t, g.constInt64([1])]), g.constFloat(freqs, [1, half])]);
    const sin = g.op('Sin', [args]);
    const cos = g.op('Cos', [args]);
    const emb = g.op('Concat', flipSinToCos ? [cos, sin] : [sin, cos], { axis: { i: 1 } });
    if (dim % 2 === 0) return emb;
    return g.op('Pad', [emb, g.constInt64([0, 0, 0, 1])]);
  }
  relu(x: string): string {
    return this.g.op('Relu', [x]);
  }

  tanh(x: string): string {
    return this.g.op('Tanh', [x]);
  }

  maxPool2d(x: string, kernel: number, stride: number = kernel): string {
    return this.g.op('MaxPool', [x], { kernel_shape: { ints: [kernel, kernel] }, strides: { ints: [stride, stride] } });
  }

  sqrt(x: string): string {
    return this.g.op('Sqrt', [x]);
  }

  div(a: string, b: string): string {
    return this.g.op('Div', [a, b]);
  }

  addScalar(x: string, s: number): string {
    return this.g.op('Add', [x, this.g.constFloat([s])]);
  }

  /** ONNX ReduceMean (opset 18: axes as an input), keepdims 1. */
  reduceMean(x: string, axes: readonly number[]): string {
    return this.g.op('ReduceMean', [x, this.g.constInt64(axes)], { keepdims: { i: 1 } });
  }

  /** Gather rows of `table` by ids (float → int64). */
  embedding(table: string, ids: string): string {
    return this.g.op('Gather', [table, this.g.op('Cast', [ids], { to: { i: 7 } })], { axis: { i: 0 } });
  }

  /** `Range(0, L)` from ids' shape, as float `[1, L]`. */
  positions(ids: string): string {
    const g = this.g;
    const range = this.range(ids);
    return g.op('Unsqueeze', [g.op('Cast', [range], { to: { i: 1 } }), g.constInt64([0])]);
  }

  /** int64 `[0 … L−1]`, L = ids' (or tokens') dimension 1, read at run time. */
  private range(x: string): string {
    const g = this.g;
    const len = g.op('Squeeze', [g.op('Slice', [g.op('Shape', [x]), g.constInt64([1]), g.constInt64([2])]), g.constInt64([0])]);
    return g.op('Range', [g.constInt64([0], []), len, g.constInt64([1], [])]);
  }

  /**
   * As `attention`, with scores of keys after the query set to float32's lowest value before the softmax (as
   * transformers' causal mask: `torch.finfo(float32).min`).
   */
  causalAttention(q: string, k: string, v: string, heads: number): string {
    const g = this.g;
    const split = (t: string) => g.op('Reshape', [t, g.constInt64([0, 0, heads, -1])]);
    const qh = g.op('Transpose', [split(q)], { perm: { ints: [0, 2, 1, 3] } });
    const kt = g.op('Transpose', [split(k)], { perm: { ints: [0, 2, 3, 1] } });
    const vh = g.op('Transpose', [split(v)], { perm: { ints: [0, 2, 1, 3] } });
    const dim = g.op('Cast', [g.op('Slice', [g.op('Shape', [qh]), g.constInt64([3]), g.constInt64([4])])], { to: { i: 1 } });
    const scale = g.op('Reciprocal', [g.op('Sqrt', [dim])]);
    const scores = g.op('MatMul', [g.op('Mul', [qh, scale]), kt]);
    const r = this.range(q);
    const future = g.op('Greater', [g.op('Unsqueeze', [r, g.constInt64([0])]), g.op('Unsqueeze', [r, g.constInt64([1])])]);
    const masked = g.op('Where', [future, g.constFloat([-3.4028234663852886e38]), scores]);
    const probs = g.op('Softmax', [masked], { axis: { i: -1 } });
    const out = g.op('Transpose', [g.op('MatMul', [probs, vh])], { perm: { ints: [0, 2, 1, 3] } });
    return g.op('Reshape', [out, g.constInt64([0, 0, -1])]);
  }

  /** ONNX Pad (opset 18), mode reflect, on H and W. */
  padReflect(x: string, pads: readonly [number, number, number, number]): string {
    const [t, l, b, r] = pads;
    return this.g.op('Pad', [x, this.g.constInt64([0, 0, t, l, 0, 0, b, r])], { mode: { s: 'reflect' } });
  }

  /** Grouped Conv (group = channels) with the constant filter `taps ⊗ taps` repeated per channel. */
  blur2d(x: string, channels: number, taps: readonly number[], stride: number): string {
    const k = taps.length;
    const filt = new Array<number>(channels * k * k);
    for (let c = 0; c < channels; c++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) filt[(c * k + i) * k + j] = taps[i]! * taps[j]!;
    const w = this.g.constFloat(filt, [channels, 1, k, k]);
    return this.g.op('Conv', [x, w], { group: { i: channels }, strides: { ints: [stride, stride] }, pads: { ints: [0, 0, 0, 0] } });
  }
}
