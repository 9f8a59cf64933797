/** Messages between `SessionHost` (main thread) and `session-worker.ts`. */

/** An execution provider we try, in order of preference. */
export type ExecutionProvider = 'cuda' | 'webgpu' | 'cpu';

export interface WireTensor {
  readonly shape: number[];
  readonly data: Float32Array;
}

export type WorkerRequest =
  | {
      readonly type: 'create';
      readonly id: number;
      readonly key: string;
      readonly model: { readonly kind: 'bytes'; readonly bytes: Uint8Array } | { readonly kind: 'path'; readonly path: string };
      readonly providers: readonly ExecutionProvider[];
      readonly threads: number;
      /** ONNX Runtime session config entries (`session.intra_op.allow_spinning` …). */
      readonly config?: Readonly<Record<string, string>>;
      /**
       * Small inputs for one profiled run on a non-CPU provider, to count which nodes landed where (ONNX Runtime
       * places nodes at session creation but reports it only in verbose logs or a profile). Heavy nodes on the
       * CPU then reject that provider.
       */
      readonly probe?: Record<string, WireTensor>;
    }
  | { readonly type: 'run'; readonly id: number; readonly key: string; readonly feeds: Record<string, WireTensor> }
  | { readonly type: 'release'; readonly id: number; readonly key: string };

export type WorkerReply =
  | {
      readonly type: 'created';
      readonly id: number;
      readonly provider: ExecutionProvider;
      readonly errors: readonly string[];
      /** Nodes per provider and op type of the probe run (absent on the CPU provider or without a probe). */
      readonly placement?: Record<string, Record<string, number>>;
    }
  | { readonly type: 'ran'; readonly id: number; readonly outputs: Record<string, WireTensor>; readonly ms: number }
  | { readonly type: 'released'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
