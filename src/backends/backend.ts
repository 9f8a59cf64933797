/**
 * The one contract both backends serve — the smallest that lets operators stay backend-agnostic:
 * load a model (spec + weights), run a named sub-network on host tensors; training backends add gradients
 * and an optimizer step. Operators receive a `Backend`; they never import one.
 *
 * Draft: the backend issue owns and refines this file.
 */

/** A host-side tensor: what crosses the boundary between operators and backends. */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Names of the runnable sub-networks of a TADSR model. */
export type SubNetwork = 'vaeEncoder' | 'vaeDecoder' | 'timeAwareEncoder' | 'unet' | 'teacherUnet';

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
  /** Release native resources. */
  dispose(): Promise<void>;
}
