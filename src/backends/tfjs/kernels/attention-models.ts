/**
 * ONNX graphs for multi-head scaled-dot-product attention (q [B,Lq,C], k/v [B,Lk,C], scale 1/√(C/heads)) and
 * its backward (probabilities recomputed, as flash-attention does):
 *   dV = Pᵀ·dO, dP = dO·Vᵀ, dS = P ⊙ (dP − rowsum(dP ⊙ P)), dQ = s·dS·K, dK = s·dSᵀ·Q.
 */
import type { OnnxModelDesc, OnnxNode } from '../../onnx/onnx-model-desc.js';
import { f32Scalar, i64 } from './onnx-consts.js';

export interface AttentionShape {
  readonly b: number;
  readonly lq: number;
  readonly lk: number;
  readonly c: number;
  readonly heads: number;
}

/** Nodes turning `name` [B,L,C] into `out` [B,h,L,d] (or [B,h,d,L] when `transposed`). */
function toHeads(name: string, out: string, shapeName: string, transposed: boolean): OnnxNode[] {
  return [
    { op: 'Reshape', inputs: [name, shapeName], outputs: [`${out}_r`] },
    { op: 'Transpose', inputs: [`${out}_r`], outputs: [out], attrs: { perm: transposed ? [0, 2, 3, 1] : [0, 2, 1, 3] } },
  ];
}

/** Nodes turning `name` [B,h,L,d] back into `out` [B,L,C]. */
function fromHeads(name: string, out: string, shapeName: string): OnnxNode[] {
  return [
    { op: 'Transpose', inputs: [name], outputs: [`${out}_t`], attrs: { perm: [0, 2, 1, 3] } },
    { op: 'Reshape', inputs: [`${out}_t`, shapeName], outputs: [out] },
  ];
}

function common(s: AttentionShape) {
  const d = s.c / s.heads;
  if (!Number.isInteger(d)) throw new Error(`attention: ${s.c} channels do not split into ${s.heads} heads`);
  const initializers = [
    i64('q_heads', [s.b, s.lq, s.heads, d]),
    i64('k_heads', [s.b, s.lk, s.heads, d]),
    i64('q_flat', [s.b, s.lq, s.c]),
    f32Scalar('scale', 1 / Math.sqrt(d)),
  ];
  const probs: OnnxNode[] = [
    ...toHeads('q', 'qh', 'q_heads', false),
    ...toHeads('k', 'kt', 'k_heads', true),
    ...toHeads('v', 'vh', 'k_heads', false),
    { op: 'Mul', inputs: ['qh', 'scale'], outputs: ['qs'] },
    { op: 'MatMul', inputs: ['qs', 'kt'], outputs: ['scores'] },
    { op: 'Softmax', inputs: ['scores'], outputs: ['p'], attrs: { axis: -1 } },
  ];
  const inputs = [
    { name: 'q', shape: [s.b, s.lq, s.c] },
    { name: 'k', shape: [s.b, s.lk, s.c] },
    { name: 'v', shape: [s.b, s.lk, s.c] },
  ];
  return { initializers, probs, inputs };
}

/** Forward: q, k, v → y [B,Lq,C]. */
export function attentionForwardModel(s: AttentionShape): OnnxModelDesc {
  const { initializers, probs, inputs } = common(s);
  return {
    nodes: [...probs, { op: 'MatMul', inputs: ['p', 'vh'], outputs: ['oh'] }, ...fromHeads('oh', 'y', 'q_flat')],
    initializers,
    inputs,
    outputs: [{ name: 'y', shape: [s.b, s.lq, s.c] }],
  };
}

/** Backward: q, k, v, dy → dq, dk, dv. */
export function attentionBackwardModel(s: AttentionShape): OnnxModelDesc {
  const { initializers, probs, inputs } = common(s);
  const nodes: OnnxNode[] = [
    ...probs,
    ...toHeads('dy', 'doh', 'q_heads', false),
    { op: 'Transpose', inputs: ['p'], outputs: ['pt'], attrs: { perm: [0, 1, 3, 2] } },
    { op: 'MatMul', inputs: ['pt', 'doh'], outputs: ['dvh'] },
    { op: 'Transpose', inputs: ['vh'], outputs: ['vt'], attrs: { perm: [0, 1, 3, 2] } },
    { op: 'MatMul', inputs: ['doh', 'vt'], outputs: ['dp'] },
    { op: 'Mul', inputs: ['dp', 'p'], outputs: ['dpp'] },
    { op: 'ReduceSum', inputs: ['dpp', 'last_axis'], outputs: ['rs'], attrs: { keepdims: 1 } },
    { op: 'Sub', inputs: ['dp', 'rs'], outputs: ['dpc'] },
    { op: 'Mul', inputs: ['dpc', 'p'], outputs: ['ds'] },
    { op: 'Transpose', inputs: ['kt'], outputs: ['kh'], attrs: { perm: [0, 1, 3, 2] } },
    { op: 'MatMul', inputs: ['ds', 'kh'], outputs: ['dqh_u'] },
    { op: 'Mul', inputs: ['dqh_u', 'scale'], outputs: ['dqh'] },
    { op: 'Transpose', inputs: ['ds'], outputs: ['dst'], attrs: { perm: [0, 1, 3, 2] } },
    { op: 'MatMul', inputs: ['dst', 'qs'], outputs: ['dkh'] },
    ...fromHeads('dqh', 'dq', 'q_flat'),
    ...fromHeads('dkh', 'dk', 'k_flat'),
    ...fromHeads('dvh', 'dv', 'k_flat'),
  ];
  return {
    nodes,
    initializers: [...initializers, i64('last_axis', [-1]), i64('k_flat', [s.b, s.lk, s.c])],
    inputs: [...inputs, { name: 'dy', shape: [s.b, s.lq, s.c] }],
    outputs: [
      { name: 'dq', shape: [s.b, s.lq, s.c] },
      { name: 'dk', shape: [s.b, s.lk, s.c] },
      { name: 'dv', shape: [s.b, s.lk, s.c] },
    ],
  };
}
