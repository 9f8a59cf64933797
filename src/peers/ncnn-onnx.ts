/**
 * ncnn net → ONNX graph, built with tadsr's own {@link OnnxGraphBuilder} (opset 18) so the ONNX Runtime backend
 * runs it. ncnn blobs are CHW without a batch axis; the ONNX graph is NCHW with symbolic batch/height/width:
 * input `data` [B,3,H,W] (RGB in [0, 1], as Real-ESRGAN-ncnn feeds it) → output `output` [B,3,sH,sW] (not
 * clamped: the caller clamps, as Real-ESRGAN does before writing 8-bit).
 *
 * Layer mapping: Convolution → Conv (+ Relu / LeakyRelu / Clip / Sigmoid for ncnn's fused activation 1–4);
 * PReLU → PRelu (slopes [C,1,1]); Split → aliases; Concat (axis 0 of CHW) → Concat axis 1; Eltwise sum with
 * coefficients → Mul + Add (prod → Mul, max → Max); BinaryOp add/sub/mul → Add/Sub/Mul; Interp nearest with
 * scales → Resize (nearest, asymmetric, floor: PyTorch's `nearest`); PixelShuffle mode 0 → DepthToSpace CRD
 * (PyTorch's PixelShuffle), mode 1 → DCR.
 */
import { OnnxGraphBuilder } from '../backends/onnx/graph-builder.js';
import { type NcnnLayer, type NcnnNet, NcnnFormatError } from './ncnn.js';

export interface NcnnOnnxGraph {
  readonly bytes: Uint8Array;
  readonly inputName: 'data';
  readonly outputName: 'output';
  readonly nodeCount: number;
  readonly initializerBytes: number;
}

function p(l: NcnnLayer, id: number, fallback: number): number {
  const v = l.params.get(id);
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new NcnnFormatError(`layer ${l.name}: param ${id} is an array, expected a number`);
  return v;
}

function arr(l: NcnnLayer, id: number): readonly number[] {
  const v = l.params.get(id);
  if (v === undefined) return [];
  if (typeof v === 'number') throw new NcnnFormatError(`layer ${l.name}: param ${id} is a number, expected an array`);
  return v;
}

/** Build the ONNX bytes of an ncnn net with one input layer and one output blob (the last layer's top). */
export function ncnnToOnnx(net: NcnnNet, opts: { readonly name?: string; readonly metadata?: Readonly<Record<string, string>> } = {}): NcnnOnnxGraph {
  const g = new OnnxGraphBuilder({ name: opts.name ?? 'ncnn' });
  const blobs = new Map<string, string>();
  const get = (l: NcnnLayer, b: string): string => {
    const v = blobs.get(b);
    if (v === undefined) throw new NcnnFormatError(`layer ${l.name} reads blob "${b}" that no earlier layer produced`);
    return v;
  };
  const inputs = net.layers.filter((l) => l.type === 'Input');
  if (inputs.length !== 1) throw new NcnnFormatError(`expected one Input layer, found ${inputs.length}`);
  let last = '';
  for (const l of net.layers) {
    const ins = l.bottoms.map((b) => get(l, b));
    let out: string;
    switch (l.type) {
      case 'Input':
        out = g.input('data', ['batch', 3, 'height', 'width']);
        break;
      case 'Split':
        for (const t of l.tops) blobs.set(t, ins[0]!);
        continue;
      case 'Convolution': {
        const cout = p(l, 0, 0);
        const kw = p(l, 1, 0);
        const kh = p(l, 11, kw);
        const dw = p(l, 2, 1);
        const dh = p(l, 12, dw);
        const sw = p(l, 3, 1);
        const sh = p(l, 13, sw);
        const pl = p(l, 4, 0);
        const pr = p(l, 15, pl);
        const pt = p(l, 14, pl);
        const pb = p(l, 16, pt);
        if ([pl, pr, pt, pb].some((v) => v < 0)) throw new NcnnFormatError(`layer ${l.name}: automatic ("SAME") padding is not supported`);
        if (p(l, 18, 0) !== 0) throw new NcnnFormatError(`layer ${l.name}: a non-zero pad value is not supported`);
        const w = l.weights.get('weight')!;
        const cin = w.length / (cout * kh * kw);
        if (!Number.isInteger(cin)) throw new NcnnFormatError(`layer ${l.name}: ${w.length} weights do not divide into ${cout}×?×${kh}×${kw}`);
        const convIns = [ins[0]!, g.weight(`${l.name}.weight`, { shape: [cout, cin, kh, kw], data: w })];
        const bias = l.weights.get('bias');
        if (bias) convIns.push(g.weight(`${l.name}.bias`, { shape: [cout], data: bias }));
        out = g.op('Conv', convIns, {
          kernel_shape: { ints: [kh, kw] },
          strides: { ints: [sh, sw] },
          dilations: { ints: [dh, dw] },
          pads: { ints: [pt, pl, pb, pr] },
        });
        const act = p(l, 9, 0);
        const ap = arr(l, 10);
        if (act === 1) out = g.op('Relu', [out]);
        else if (act === 2) out = g.op('LeakyRelu', [out], { alpha: { f: ap[0] ?? 0 } });
        else if (act === 3) out = g.op('Clip', [out, g.constFloat([ap[0]!]), g.constFloat([ap[1]!])]);
        else if (act === 4) out = g.op('Sigmoid', [out]);
        else if (act !== 0) throw new NcnnFormatError(`layer ${l.name}: fused activation ${act} is not supported`);
        break;
      }
      case 'PReLU': {
        const slope = l.weights.get('slope')!;
        const shape = slope.length === 1 ? [1] : [slope.length, 1, 1];
        out = g.op('PRelu', [ins[0]!, g.weight(`${l.name}.slope`, { shape, data: slope })]);
        break;
      }
      case 'Concat': {
        const axis = p(l, 0, 0);
        if (axis !== 0) throw new NcnnFormatError(`layer ${l.name}: concat along axis ${axis} is not supported (only channels)`);
        out = g.op('Concat', ins, { axis: { i: 1 } });
        break;
      }
      case 'Eltwise': {
        const op = p(l, 0, 1);
        const coeffs = arr(l, 1);
        if (op === 1) {
          const terms = ins.map((x, i) => (coeffs.length === 0 || coeffs[i] === 1 ? x : g.op('Mul', [x, g.constFloat([coeffs[i]!])])));
          out = terms.reduce((a, b) => g.op('Add', [a, b]));
        } else if (op === 0 || op === 2) {
          out = ins.reduce((a, b) => g.op(op === 0 ? 'Mul' : 'Max', [a, b]));
        } else throw new NcnnFormatError(`layer ${l.name}: Eltwise op ${op} is not supported`);
        break;
      }
      case 'BinaryOp': {
        if (p(l, 1, 0) !== 0) throw new NcnnFormatError(`layer ${l.name}: BinaryOp with a scalar is not supported`);
        const op = ['Add', 'Sub', 'Mul'][p(l, 0, 0)];
        if (!op || ins.length !== 2) throw new NcnnFormatError(`layer ${l.name}: BinaryOp ${p(l, 0, 0)} is not supported (add, sub, mul)`);
        out = g.op(op, ins);
        break;
      }
      case 'Interp': {
        if (p(l, 0, 0) !== 1) throw new NcnnFormatError(`layer ${l.name}: only nearest Interp (0=1) is supported`);
        if (p(l, 3, 0) !== 0 || p(l, 4, 0) !== 0 || p(l, 5, 0) !== 0) throw new NcnnFormatError(`layer ${l.name}: Interp to a fixed size is not supported (only scales)`);
        const hs = p(l, 1, 1);
        const ws = p(l, 2, 1);
        out = g.op('Resize', [ins[0]!, '', g.constFloat([1, 1, hs, ws], [4])], {
          mode: { s: 'nearest' },
          coordinate_transformation_mode: { s: 'asymmetric' },
          nearest_mode: { s: 'floor' },
        });
        break;
      }
      case 'PixelShuffle': {
        const mode = p(l, 1, 0);
        out = g.op('DepthToSpace', [ins[0]!], { blocksize: { i: p(l, 0, 1) }, mode: { s: mode === 0 ? 'CRD' : 'DCR' } });
        break;
      }
      default:
        throw new NcnnFormatError(`layer ${l.name}: ncnn layer type ${l.type} is not supported`);
    }
    if (l.tops.length !== 1) throw new NcnnFormatError(`layer ${l.name}: expected one output blob, found ${l.tops.length}`);
    blobs.set(l.tops[0]!, out);
    last = out;
  }
  g.output(last, 'output', ['batch', 3, 'H', 'W']);
  return { bytes: g.build(opts.metadata ?? {}), inputName: 'data', outputName: 'output', nodeCount: g.nodeCount, initializerBytes: g.initializerBytes };
}
