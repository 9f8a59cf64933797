/**
 * The fixed text-free condition of models without a text encoder: zeros `[B, CONTEXT_TOKENS, crossAttentionDim]`
 * (none when the UNet has no cross-attention). For models trained here without text, a constant embedding is the
 * honest substitute; models with one (`spec.text`) are conditioned on a prompt's embedding instead
 * (`PromptEncoder`, `encodePrompt`). One place for the token count and the tensor, whatever builds it (the
 * inference calls, the training graph on TF.js, the ONNX teacher).
 *
 * ```ts
 * zeroTextCondition(spec.unet.crossAttentionDim, 2);   // { shape: [2, 1, d], data: zeros } or null
 * ```
 */
import type { HostTensor } from '../host-tensor.js';

/** Length of the fixed zero conditioning sequence of text-free models (one token). */
export const CONTEXT_TOKENS = 1;

/** Shape `[batch, CONTEXT_TOKENS, crossAttentionDim]` of the zero condition, or null without cross-attention. */
export function zeroTextConditionShape(crossAttentionDim: number | null, batch: number): [number, number, number] | null {
  return crossAttentionDim === null ? null : [batch, CONTEXT_TOKENS, crossAttentionDim];
}

/** The zero condition as a host tensor, or null when the UNet has no cross-attention. */
export function zeroTextCondition(crossAttentionDim: number | null, batch: number): HostTensor | null {
  const shape = zeroTextConditionShape(crossAttentionDim, batch);
  return shape === null ? null : { shape, data: new Float32Array(shape[0] * shape[1] * shape[2]) };
}
