/** TF.js kernels for multi-head attention computed by ONNX Runtime (forward; fused backward), with gradient. */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { attentionBackwardModel, attentionForwardModel, type AttentionShape } from './attention-models.js';
import { OrtAttention, OrtAttentionGrad, type AttentionAttrs } from './kernel-names.js';
import { attrsOf, fusedGradConfig, ortKernelConfig } from './ort-kernel.js';

function shape(q: TensorInfo, k: TensorInfo, a: AttentionAttrs): AttentionShape {
  if (q.shape.length !== 3 || k.shape.length !== 3 || q.shape[2] !== k.shape[2]) {
    throw new Error(`attention: q ${JSON.stringify(q.shape)} and k ${JSON.stringify(k.shape)} must be [B, L, C]`);
  }
  return { b: q.shape[0]!, lq: q.shape[1]!, lk: k.shape[1]!, c: q.shape[2]!, heads: a.heads };
}

/** Kernel configs for one tfjs backend. */
export function attentionKernelConfigs(backendName: string): KernelConfig[] {
  return [
    ortKernelConfig<AttentionAttrs>(
      {
        kernelName: OrtAttention,
        inputs: ({ q, k, v }) => [['q', q!], ['k', k!], ['v', v!]],
        outputs: ([[, q]]) => [['y', [...q.shape]]],
        attrKey: (a) => `h${a.heads}`,
        model: ([[, q], [, k]], a) => attentionForwardModel(shape(q, k, a)),
      },
      backendName,
    ),
    ortKernelConfig<AttentionAttrs>(
      {
        kernelName: OrtAttentionGrad,
        inputs: ({ q, k, v, dy }) => [['q', q!], ['k', k!], ['v', v!], ['dy', dy!]],
        outputs: ([[, q], [, k], [, v]]) => [
          ['dq', [...q.shape]],
          ['dk', [...k.shape]],
          ['dv', [...v.shape]],
        ],
        attrKey: (a) => `h${a.heads}`,
        model: ([[, q], [, k]], a) => attentionBackwardModel(shape(q, k, a)),
      },
      backendName,
    ),
  ];
}

/** Gradient of OrtAttention (probabilities recomputed in the backward graph). */
export const attentionGradConfig: GradConfig = fusedGradConfig(OrtAttention, OrtAttentionGrad, ['q', 'k', 'v']);

/**
 * Multi-head scaled-dot-product attention computed by ONNX Runtime, differentiable.
 *
 * @example
 * const y = ortAttention(q, k, v, 8); // q [B, Lq, C], k/v [B, Lk, C] → [B, Lq, C]
 */
export function ortAttention(q: Tensor, k: Tensor, v: Tensor, heads: number): Tensor {
  return tf.engine().runKernel(OrtAttention, { q, k, v }, attrsOf<AttentionAttrs>({ heads })) as Tensor;
}
