/**
 * ONNX graphs for conv2d forward and backward (NCHW, PyTorch weight layout), static shapes.
 *
 * Backward, chosen by measurement on ORT CPU (4×64×64×64, 3×3; see bench/tfjs-conv-grad.ts):
 * - dx: stride 1 → a Conv of dy with the transposed, spatially flipped kernel (~2× faster than ConvTranspose);
 *   stride > 1 → ConvTranspose(dy, w) (the conv weight layout is ConvTranspose's).
 * - dw: one GEMM per kernel tap, dw[:, :, i, j] = dy[Co, N·Ho·Wo] · tap(i, j)ᵀ with tap(i, j) the (channel-major,
 *   padded) input window of that tap — ~2× faster than im2col + one GEMM (no kh·kw-times-larger column matrix),
 *   which was ~2× faster than the "batch as channels" conv formulation.
 * - db = Σ dy over N, H, W.
 */
import type { OnnxInitializer, OnnxModelDesc, OnnxNode } from '../../onnx/onnx-model-desc.js';
import { i64 } from './onnx-consts.js';

/** Padding `[top, left, bottom, right]` (ONNX `pads` order for 2-D). */
export type Pads4 = readonly [number, number, number, number];

export interface ConvShape {
  readonly n: number;
  readonly ci: number;
  readonly h: number;
  readonly w: number;
  readonly co: number;
  readonly kh: number;
  readonly kw: number;
  readonly stride: number;
  readonly pads: Pads4;
}

/** Output spatial size of the conv. */
export function convOutSize(s: ConvShape): { ho: number; wo: number } {
  const [t, l, b, r] = s.pads;
  return {
    ho: Math.floor((s.h + t + b - s.kh) / s.stride) + 1,
    wo: Math.floor((s.w + l + r - s.kw) / s.stride) + 1,
  };
}

/** Forward conv graph: inputs x, w[, b] → y. */
export function convForwardModel(s: ConvShape, hasBias: boolean): OnnxModelDesc {
  const { ho, wo } = convOutSize(s);
  return {
    nodes: [
      {
        op: 'Conv',
        inputs: hasBias ? ['x', 'w', 'b'] : ['x', 'w'],
        outputs: ['y'],
        attrs: { kernel_shape: [s.kh, s.kw], strides: [s.stride, s.stride], pads: [...s.pads] },
      },
    ],
    inputs: [
      { name: 'x', shape: [s.n, s.ci, s.h, s.w] },
      { name: 'w', shape: [s.co, s.ci, s.kh, s.kw] },
      ...(hasBias ? [{ name: 'b', shape: [s.co] }] : []),
    ],
    outputs: [{ name: 'y', shape: [s.n, s.co, ho, wo] }],
  };
}

function inputGradNodes(s: ConvShape, inits: OnnxInitializer[]): OnnxNode[] {
  const [t, l, b, r] = s.pads;
  const { ho, wo } = convOutSize(s);
  const flipPads = [s.kh - 1 - t, s.kw - 1 - l, s.kh - 1 - b, s.kw - 1 - r];
  // Stride 1 with every flipped pad ≥ 0: the flipped-kernel conv lands exactly on H×W.
  if (s.stride === 1 && flipPads.every((p) => p >= 0)) {
    inits.push(i64('flip_st', [-1, -1]), i64('flip_en', [-(2 ** 31), -(2 ** 31)]), i64('hw', [2, 3]), i64('flip_stp', [-1, -1]));
    return [
      { op: 'Transpose', inputs: ['w'], outputs: ['w_io'], attrs: { perm: [1, 0, 2, 3] } },
      { op: 'Slice', inputs: ['w_io', 'flip_st', 'flip_en', 'hw', 'flip_stp'], outputs: ['w_flip'] },
      { op: 'Conv', inputs: ['dy', 'w_flip'], outputs: ['dx'], attrs: { kernel_shape: [s.kh, s.kw], pads: flipPads } },
    ];
  }
  // ConvTranspose output = s·(Ho−1) + k + output_padding − pad_begin − pad_end; output_padding lands it on H, W.
  const oph = s.h - (s.stride * (ho - 1) + s.kh - t - b);
  const opw = s.w - (s.stride * (wo - 1) + s.kw - l - r);
  return [
    {
      op: 'ConvTranspose',
      inputs: ['dy', 'w'],
      outputs: ['dx'],
      attrs: {
        kernel_shape: [s.kh, s.kw],
        strides: [s.stride, s.stride],
        pads: [...s.pads],
        output_padding: [oph, opw],
      },
    },
  ];
}

/** How the filter gradient is computed: per-tap GEMMs (default) or im2col + one GEMM. */
export type FilterGradMethod = 'taps' | 'im2col';

/**
 * Filter gradient dw from x and dy. Both methods slice the (channel-major, padded) input window of each kernel
 * tap; `taps` multiplies dy by each window (one GEMM per tap), `im2col` stacks the windows into a
 * [Ci·kh·kw, N·Ho·Wo] column matrix and runs one GEMM.
 */
function filterGradNodes(s: ConvShape, inits: OnnxInitializer[], method: FilterGradMethod): OnnxNode[] {
  const [t, l, b, r] = s.pads;
  const { ho, wo } = convOutSize(s);
  const st = s.stride;
  const perTap = method === 'taps';
  inits.push(
    i64('x_pads', [0, 0, t, l, 0, 0, b, r]),
    i64('tap_axes', [2, 3]),
    i64('tap_steps', [st, st]),
    ...(perTap
      ? [i64('rows', [s.ci, -1]), i64('dy_shape', [s.co, -1]), i64('tap_axis', [2])]
      : [i64('unsq_axis', [1]), i64('cols_shape', [s.ci * s.kh * s.kw, -1]), i64('dy_shape', [s.co, -1])]),
    i64('w_shape', [s.co, s.ci, s.kh, s.kw]),
  );
  // dy as [Co, N·Ho·Wo]; x channel-major and padded: [Ci, N, H+t+b, W+l+r].
  const nodes: OnnxNode[] = [
    { op: 'Transpose', inputs: ['dy'], outputs: ['dy_cm'], attrs: { perm: [1, 0, 2, 3] } },
    { op: 'Reshape', inputs: ['dy_cm', 'dy_shape'], outputs: ['dy_mat'] },
    { op: 'Transpose', inputs: ['x'], outputs: ['x_cm'], attrs: { perm: [1, 0, 2, 3] } },
    { op: 'Pad', inputs: ['x_cm', 'x_pads'], outputs: ['x_pad'] },
  ];
  const taps: string[] = [];
  for (let i = 0; i < s.kh; i++) {
    for (let j = 0; j < s.kw; j++) {
      inits.push(i64(`tap_s${i}_${j}`, [i, j]), i64(`tap_e${i}_${j}`, [i + st * (ho - 1) + 1, j + st * (wo - 1) + 1]));
      nodes.push({ op: 'Slice', inputs: ['x_pad', `tap_s${i}_${j}`, `tap_e${i}_${j}`, 'tap_axes', 'tap_steps'], outputs: [`tap${i}_${j}`] });
      if (perTap) {
        // dw[:, :, i, j] = dy_mat · tap(i, j)ᵀ
        nodes.push(
          { op: 'Reshape', inputs: [`tap${i}_${j}`, 'rows'], outputs: [`tapm${i}_${j}`] },
          { op: 'Gemm', inputs: ['dy_mat', `tapm${i}_${j}`], outputs: [`dwt${i}_${j}`], attrs: { transB: 1 } },
          { op: 'Unsqueeze', inputs: [`dwt${i}_${j}`, 'tap_axis'], outputs: [`dwu${i}_${j}`] },
        );
        taps.push(`dwu${i}_${j}`);
      } else {
        nodes.push({ op: 'Unsqueeze', inputs: [`tap${i}_${j}`, 'unsq_axis'], outputs: [`tapu${i}_${j}`] });
        taps.push(`tapu${i}_${j}`);
      }
    }
  }
  if (perTap) {
    // [Co, Ci, kh·kw] → [Co, Ci, kh, kw]
    nodes.push(
      { op: 'Concat', inputs: taps, outputs: ['dw_taps'], attrs: { axis: 2 } },
      { op: 'Reshape', inputs: ['dw_taps', 'w_shape'], outputs: ['dw'] },
    );
  } else {
    // [Ci, kh·kw, N, Ho, Wo] → cols [Ci·kh·kw, N·Ho·Wo]; dw = dy_mat · colsᵀ → [Co, Ci, kh, kw]
    nodes.push(
      { op: 'Concat', inputs: taps, outputs: ['cols5'], attrs: { axis: 1 } },
      { op: 'Reshape', inputs: ['cols5', 'cols_shape'], outputs: ['cols'] },
      { op: 'Gemm', inputs: ['dy_mat', 'cols'], outputs: ['dw_mat'], attrs: { transB: 1 } },
      { op: 'Reshape', inputs: ['dw_mat', 'w_shape'], outputs: ['dw'] },
    );
  }
  return nodes;
}

/** Backward conv graph: inputs x, w, dy → dx, dw[, db]. */
export function convBackwardModel(s: ConvShape, hasBias: boolean, method: FilterGradMethod = 'taps'): OnnxModelDesc {
  const { ho, wo } = convOutSize(s);
  const initializers: OnnxInitializer[] = [];
  const nodes = [...inputGradNodes(s, initializers), ...filterGradNodes(s, initializers, method)];
  if (hasBias) {
    nodes.push({ op: 'ReduceSum', inputs: ['dy', 'db_axes'], outputs: ['db'], attrs: { keepdims: 0 } });
    initializers.push(i64('db_axes', [0, 2, 3]));
  }
  return {
    nodes,
    initializers,
    inputs: [
      { name: 'x', shape: [s.n, s.ci, s.h, s.w] },
      { name: 'w', shape: [s.co, s.ci, s.kh, s.kw] },
      { name: 'dy', shape: [s.n, s.co, ho, wo] },
    ],
    outputs: [
      { name: 'dx', shape: [s.n, s.ci, s.h, s.w] },
      { name: 'dw', shape: [s.co, s.ci, s.kh, s.kw] },
      ...(hasBias ? [{ name: 'db', shape: [s.co] }] : []),
    ],
  };
}
