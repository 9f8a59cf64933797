/** Messages between `SessionHost` (main thread) and `session-worker.ts`. */

/** An execution provider we try, in order of preference. */
export type ExecutionProvider = 'cuda' | 'cpu';

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
    }
  | { readonly type: 'run'; readonly id: number; readonly key: string; readonly feeds: Record<string, WireTensor> }
  | { readonly type: 'release'; readonly id: number; readonly key: string };

export type WorkerReply =
  | { readonly type: 'created'; readonly id: number; readonly provider: ExecutionProvider; readonly errors: readonly string[] }
  | { readonly type: 'ran'; readonly id: number; readonly outputs: Record<string, WireTensor>; readonly ms: number }
  | { readonly type: 'released'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
