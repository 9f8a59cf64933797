/** ONNX graphs for the elementwise / data-movement kernels: SiLU, nearest ×2 upsampling, concat / split. */
import type { OnnxModelDesc } from '../../onnx/onnx-model-desc.js';
import { i64 } from './onnx-consts.js';

const f = (name: string, shape: readonly number[]) => ({ name, shape: [...shape] });

/** y = x·σ(x). */
export function siluForwardModel(shape: readonly number[]): OnnxModelDesc {
  return {
    nodes: [
      { op: 'Sigmoid', inputs: ['x'], outputs: ['s'] },
      { op: 'Mul', inputs: ['x', 's'], outputs: ['y'] },
    ],
    inputs: [f('x', shape)],
    outputs: [f('y', shape)],
  };
}

/** dx = dy·σ(x)·(1 + x·(1−σ(x))) = dy·(σ + y·(1−σ)) with y = x·σ. */
export function siluBackwardModel(shape: readonly number[]): OnnxModelDesc {
  return {
    nodes: [
      { op: 'Sigmoid', inputs: ['x'], outputs: ['s'] },
      { op: 'Mul', inputs: ['x', 's'], outputs: ['y'] },
      { op: 'Sub', inputs: ['one', 's'], outputs: ['oms'] },
      { op: 'Mul', inputs: ['y', 'oms'], outputs: ['t'] },
      { op: 'Add', inputs: ['s', 't'], outputs: ['d'] },
      { op: 'Mul', inputs: ['dy', 'd'], outputs: ['dx'] },
    ],
    initializers: [{ name: 'one', shape: [], data: new Float32Array([1]) }],
    inputs: [f('x', shape), f('dy', shape)],
    outputs: [f('dx', shape)],
  };
}

/** [B,C,H,W] → [B,C,2H,2W] nearest. */
export function upsampleForwardModel(shape: readonly number[]): OnnxModelDesc {
  const [b, c, h, w] = shape as [number, number, number, number];
  return {
    nodes: [
      { op: 'Reshape', inputs: ['x', 's6'], outputs: ['x6'] },
      { op: 'Expand', inputs: ['x6', 'e6'], outputs: ['y6'] },
      { op: 'Reshape', inputs: ['y6', 's4'], outputs: ['y'] },
    ],
    initializers: [i64('s6', [b, c, h, 1, w, 1]), i64('e6', [b, c, h, 2, w, 2]), i64('s4', [b, c, 2 * h, 2 * w])],
    inputs: [f('x', shape)],
    outputs: [f('y', [b, c, 2 * h, 2 * w])],
  };
}

/** dy [B,C,2H,2W] → dx [B,C,H,W]: sums over each 2×2 block. */
export function upsampleBackwardModel(shape: readonly number[]): OnnxModelDesc {
  const [b, c, h, w] = shape as [number, number, number, number];
  return {
    nodes: [
      { op: 'Reshape', inputs: ['dy', 's6'], outputs: ['dy6'] },
      { op: 'ReduceSum', inputs: ['dy6', 'axes'], outputs: ['dx'], attrs: { keepdims: 0 } },
    ],
    initializers: [i64('s6', [b, c, h, 2, w, 2]), i64('axes', [3, 5])],
    inputs: [f('dy', [b, c, 2 * h, 2 * w])],
    outputs: [f('dx', shape)],
  };
}

/** Concat of x0…x{n−1} along axis. */
export function concatModel(shapes: readonly (readonly number[])[], axis: number): OnnxModelDesc {
  const out = [...shapes[0]!];
  out[axis] = shapes.reduce((a, s) => a + s[axis]!, 0);
  return {
    nodes: [{ op: 'Concat', inputs: shapes.map((_, i) => `x${i}`), outputs: ['y'], attrs: { axis } }],
    inputs: shapes.map((s, i) => f(`x${i}`, s)),
    outputs: [f('y', out)],
  };
}

/** Split dy along axis into parts of `sizes`. */
export function splitModel(shape: readonly number[], axis: number, sizes: readonly number[]): OnnxModelDesc {
  return {
    nodes: [{ op: 'Split', inputs: ['dy', 'sizes'], outputs: sizes.map((_, i) => `y${i}`), attrs: { axis } }],
    initializers: [i64('sizes', sizes)],
    inputs: [f('dy', shape)],
    outputs: sizes.map((s, i) => {
      const o = [...shape];
      o[axis] = s;
      return f(`y${i}`, o);
    }),
  };
}
