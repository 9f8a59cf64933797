/**
 * The one contract both backends serve — the smallest that lets operators stay backend-agnostic:
 * load a model (spec + weights), run a named sub-network on host tensors; training backends add gradients
 * and an optimizer step. Operators receive a `Backend`; they never import one.
 *
 * How a backend is made: a factory `(spec: ModelSpec, weights: ModelWeights, opts) => Promise<Backend>`
 * (`createOnnxBackend`, the TF.js one), listed in `registry.ts` so tools (`tadsr bench`) find every backend present.
 *
 * Training: a training backend extends `Backend` with gradients and an optimizer step; that extension is defined
 * by the TF.js backend (`src/backends/tfjs/`) — inference-only backends (ONNX) implement just this interface.
 */

import type { HostTensor } from '../host-tensor.js';

/** A host-side tensor: what crosses the boundary between operators and backends (defined in `src/host-tensor.ts`). */
export type { HostTensor };

/**
 * Names of the runnable sub-networks of a TADSR model, with their inputs → output (NCHW float32; every backend
 * uses these names; see `src/backends/onnx/emit.ts`):
 * - `vaeEncoder`: `sample` [B,3,H,W] in [−1,1] → `moments` [B,2·latent,H/8,W/8] (mean ‖ logvar)
 * - `timeAwareEncoder`: `sample`, `timestep` [B] → `moments`
 * - `unet`, `teacherUnet`: `sample` [B,latent,h,w] (× scaling factor), `timestep` [B],
 *   `encoderHiddenStates` [B,T,D] (only when the UNet cross-attends) → `eps`
 * - `vaeDecoder`: `latent` [B,latent,h,w] (already ÷ scaling factor) → `image` [B,3,8h,8w]
 * - `textEncoder` (models with `spec.text`): `inputIds` [B,T] (token ids as floats) → `lastHiddenState` [B,T,D]
 */
export type SubNetwork = 'vaeEncoder' | 'vaeDecoder' | 'timeAwareEncoder' | 'unet' | 'teacherUnet' | 'textEncoder';

export interface BackendInfo {
  /** e.g. `onnx`, `tfjs`. */
  readonly name: string;
  /** What actually runs the maths, e.g. `onnxruntime-node cpu (2 threads)`, `tfjs wasm + ort kernels`. */
  readonly runtime: string;
}

export interface Backend {
  readonly info: BackendInfo;
  /** Run a sub-network. Inputs and outputs are named as in the model spec (e.g. `sample`, `timestep`). */
  run(net: SubNetwork, inputs: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>>;
  /**
   * `run`, answered synchronously: offered only by backends that compute on the calling thread (the TF.js
   * distillation nets of `tadsr train`), so a training step can take the scores inside its gradient tape.
   */
  runSync?(net: SubNetwork, inputs: Readonly<Record<string, HostTensor>>): Record<string, HostTensor>;
  /** Release native resources. */
  dispose(): Promise<void>;
}
