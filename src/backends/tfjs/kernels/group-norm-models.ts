/**
 * ONNX graphs for GroupNorm with per-channel affine (NCHW), optionally followed by SiLU, and its backward:
 *   x̂ = (x − μ_g)·r_g, z = γ·x̂ + β, y = z (or z·σ(z) with `silu`);
 *   dz = dy (or dy·σ(z)·(1 + z·(1 − σ(z)))),  dβ = Σ dz, dγ = Σ dz·x̂,
 *   dx = r_g·(g − mean_g(g) − x̂·mean_g(g·x̂)) with g = γ·dz.
 */
import type { OnnxModelDesc, OnnxNode } from '../../onnx/onnx-model-desc.js';
import { f32Scalar, i64 } from './onnx-consts.js';

export interface GroupNormShape {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly groups: number;
  readonly eps: number;
}

function normalise(s: GroupNormShape) {
  if (s.c % s.groups !== 0) throw new Error(`groupNorm: ${s.c} channels do not split into ${s.groups} groups`);
  const nodes: OnnxNode[] = [
    { op: 'Reshape', inputs: ['x', 'grouped'], outputs: ['xg'] },
    { op: 'ReduceMean', inputs: ['xg'], outputs: ['mean'], attrs: { axes: [2], keepdims: 1 } },
    { op: 'Sub', inputs: ['xg', 'mean'], outputs: ['xc'] },
    { op: 'Mul', inputs: ['xc', 'xc'], outputs: ['xc2'] },
    { op: 'ReduceMean', inputs: ['xc2'], outputs: ['var'], attrs: { axes: [2], keepdims: 1 } },
    { op: 'Add', inputs: ['var', 'eps'], outputs: ['var_eps'] },
    { op: 'Sqrt', inputs: ['var_eps'], outputs: ['std'] },
    { op: 'Reciprocal', inputs: ['std'], outputs: ['rstd'] },
    { op: 'Mul', inputs: ['xc', 'rstd'], outputs: ['xhat_g'] },
    { op: 'Reshape', inputs: ['xhat_g', 'full'], outputs: ['xhat'] },
    { op: 'Reshape', inputs: ['gamma', 'per_channel'], outputs: ['gamma4'] },
  ];
  const initializers = [
    i64('grouped', [s.n, s.groups, -1]),
    i64('full', [s.n, s.c, s.h, s.w]),
    i64('per_channel', [1, s.c, 1, 1]),
    f32Scalar('eps', s.eps),
  ];
  return { nodes, initializers };
}

const xShape = (s: GroupNormShape) => [s.n, s.c, s.h, s.w];

/** Forward: x, gamma, beta → y (`silu`: SiLU fused after the affine). */
export function groupNormForwardModel(s: GroupNormShape, silu = false): OnnxModelDesc {
  const { nodes, initializers } = normalise(s);
  return {
    nodes: [
      ...nodes,
      { op: 'Reshape', inputs: ['beta', 'per_channel'], outputs: ['beta4'] },
      { op: 'Mul', inputs: ['xhat', 'gamma4'], outputs: ['scaled'] },
      { op: 'Add', inputs: ['scaled', 'beta4'], outputs: [silu ? 'z' : 'y'] },
      ...(silu
        ? [
            { op: 'Sigmoid', inputs: ['z'], outputs: ['sz'] },
            { op: 'Mul', inputs: ['z', 'sz'], outputs: ['y'] },
          ]
        : []),
    ],
    initializers,
    inputs: [
      { name: 'x', shape: xShape(s) },
      { name: 'gamma', shape: [s.c] },
      { name: 'beta', shape: [s.c] },
    ],
    outputs: [{ name: 'y', shape: xShape(s) }],
  };
}

/** Backward: x, gamma, dy (and beta with `silu`) → dx, dgamma, dbeta. */
export function groupNormBackwardModel(s: GroupNormShape, silu = false): OnnxModelDesc {
  const { nodes, initializers } = normalise(s);
  // With SiLU: dz = dy·(σ(z) + z·σ(z)·(1 − σ(z))), z recomputed from x̂.
  const siluNodes: OnnxNode[] = silu
    ? [
        { op: 'Reshape', inputs: ['beta', 'per_channel'], outputs: ['beta4'] },
        { op: 'Mul', inputs: ['xhat', 'gamma4'], outputs: ['scaled'] },
        { op: 'Add', inputs: ['scaled', 'beta4'], outputs: ['z'] },
        { op: 'Sigmoid', inputs: ['z'], outputs: ['sz'] },
        { op: 'Mul', inputs: ['z', 'sz'], outputs: ['zsz'] },
        { op: 'Sub', inputs: ['one', 'sz'], outputs: ['one_m_sz'] },
        { op: 'Mul', inputs: ['zsz', 'one_m_sz'], outputs: ['t'] },
        { op: 'Add', inputs: ['sz', 't'], outputs: ['dsilu'] },
        { op: 'Mul', inputs: ['dy', 'dsilu'], outputs: ['dz'] },
      ]
    : [{ op: 'Identity', inputs: ['dy'], outputs: ['dz'] }];
  return {
    nodes: [
      ...nodes,
      ...siluNodes,
      { op: 'ReduceSum', inputs: ['dz', 'nhw'], outputs: ['dbeta'], attrs: { keepdims: 0 } },
      { op: 'Mul', inputs: ['dz', 'xhat'], outputs: ['dy_xhat'] },
      { op: 'ReduceSum', inputs: ['dy_xhat', 'nhw'], outputs: ['dgamma'], attrs: { keepdims: 0 } },
      { op: 'Mul', inputs: ['dz', 'gamma4'], outputs: ['g'] },
      { op: 'Reshape', inputs: ['g', 'grouped'], outputs: ['gg'] },
      { op: 'ReduceMean', inputs: ['gg'], outputs: ['m1'], attrs: { axes: [2], keepdims: 1 } },
      { op: 'Mul', inputs: ['gg', 'xhat_g'], outputs: ['gx'] },
      { op: 'ReduceMean', inputs: ['gx'], outputs: ['m2'], attrs: { axes: [2], keepdims: 1 } },
      { op: 'Sub', inputs: ['gg', 'm1'], outputs: ['t1'] },
      { op: 'Mul', inputs: ['xhat_g', 'm2'], outputs: ['t2'] },
      { op: 'Sub', inputs: ['t1', 't2'], outputs: ['t3'] },
      { op: 'Mul', inputs: ['t3', 'rstd'], outputs: ['dxg'] },
      { op: 'Reshape', inputs: ['dxg', 'full'], outputs: ['dx'] },
    ],
    initializers: [...initializers, i64('nhw', [0, 2, 3]), ...(silu ? [f32Scalar('one', 1)] : [])],
    inputs: [
      { name: 'x', shape: xShape(s) },
      { name: 'gamma', shape: [s.c] },
      ...(silu ? [{ name: 'beta', shape: [s.c] }] : []),
      { name: 'dy', shape: xShape(s) },
    ],
    outputs: [
      { name: 'dx', shape: xShape(s) },
      { name: 'dgamma', shape: [s.c] },
      { name: 'dbeta', shape: [s.c] },
    ],
  };
}
