/**
 * The tensor that crosses layers on the host: what model files read and write (safetensors, initialisation),
 * what operators hand a backend and get back. It lives here, below `models/` and `backends/`, so that the model
 * layer (architecture as data) does not import a backend to name its weights.
 *
 * ```ts
 * const x: HostTensor = { shape: [1, 3, 64, 64], data: new Float32Array(3 * 64 * 64) };   // NCHW float32
 * ```
 */
export interface HostTensor {
  /** Row-major shape; the data holds exactly the product of it. */
  readonly shape: readonly number[];
  readonly data: Float32Array;
}
