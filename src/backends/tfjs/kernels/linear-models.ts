/** ONNX graphs for PyTorch Linear (`y = x @ wᵀ + b`, 2-D x) forward and backward. */
import type { OnnxModelDesc } from '../../onnx/onnx-model-desc.js';
import { i64 } from './onnx-consts.js';

export interface LinearShape {
  readonly m: number;
  readonly k: number;
  readonly o: number;
}

/** Forward: x [M,K], w [O,K][, b [O]] → y [M,O]. */
export function linearForwardModel(s: LinearShape, hasBias: boolean): OnnxModelDesc {
  return {
    nodes: [{ op: 'Gemm', inputs: hasBias ? ['x', 'w', 'b'] : ['x', 'w'], outputs: ['y'], attrs: { transB: 1 } }],
    inputs: [
      { name: 'x', shape: [s.m, s.k] },
      { name: 'w', shape: [s.o, s.k] },
      ...(hasBias ? [{ name: 'b', shape: [s.o] }] : []),
    ],
    outputs: [{ name: 'y', shape: [s.m, s.o] }],
  };
}

/** Backward: x, w, dy → dx = dy·w, dw = dyᵀ·x[, db = Σ_rows dy]. */
export function linearBackwardModel(s: LinearShape, hasBias: boolean): OnnxModelDesc {
  return {
    nodes: [
      { op: 'MatMul', inputs: ['dy', 'w'], outputs: ['dx'] },
      { op: 'Gemm', inputs: ['dy', 'x'], outputs: ['dw'], attrs: { transA: 1 } },
      ...(hasBias ? [{ op: 'ReduceSum', inputs: ['dy', 'axes0'], outputs: ['db'], attrs: { keepdims: 0 } }] : []),
    ],
    initializers: hasBias ? [i64('axes0', [0])] : [],
    inputs: [
      { name: 'x', shape: [s.m, s.k] },
      { name: 'w', shape: [s.o, s.k] },
      { name: 'dy', shape: [s.m, s.o] },
    ],
    outputs: [
      { name: 'dx', shape: [s.m, s.k] },
      { name: 'dw', shape: [s.o, s.k] },
      ...(hasBias ? [{ name: 'db', shape: [s.o] }] : []),
    ],
  };
}
