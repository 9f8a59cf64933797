/**
 * The frozen teacher UNet on ONNX Runtime, called *synchronously* (onnxruntime-node's native session, the same
 * binding the TF.js backend's ORT kernels use) so it can run inside a TF.js gradient tape without a second student
 * forward. The graph is emitted from the same `unetForward` code as every other backend (`emitSubNetwork`).
 *
 * ```ts
 * const teacher = new SyncOnnxTeacher(spec, teacherUnet);
 * const eps = teacher.eps(zt, [1, 4, 8, 8], 250);
 * teacher.dispose();
 * ```
 */
import { emitSubNetwork } from '../../backends/onnx/emit.js';
import { type NativeSession, createNativeSession, nativeTensor } from '../../backends/tfjs/ort/ort-binding.js';
import type { WeightMap } from '../../models/params.js';
import type { ModelSpec } from '../../models/specs.js';
import { CONTEXT_TOKENS } from '../../models/text-condition.js';

export class SyncOnnxTeacher {
  private readonly session: NativeSession;

  constructor(
    private readonly spec: ModelSpec,
    teacherUnet: WeightMap,
    threads = 2,
  ) {
    const g = emitSubNetwork(spec, 'teacherUnet', { teacherUnet });
    this.session = createNativeSession(g.bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' });
  }

  /**
   * ε of the teacher for latents `z` (NCHW) at integer timestep `t` (one for the batch, or one per sample), with
   * the fixed all-zero condition.
   */
  eps(z: Float32Array, shape: readonly number[], t: number | readonly number[]): Float32Array {
    const b = shape[0]!;
    if (typeof t !== 'number' && t.length !== b) throw new RangeError(`${t.length} timesteps for a batch of ${b}`);
    const feeds: Record<string, ReturnType<typeof nativeTensor>> = {
      sample: nativeTensor(z, shape),
      timestep: nativeTensor(typeof t === 'number' ? new Float32Array(b).fill(t) : Float32Array.from(t), [b]),
    };
    const d = this.spec.unet.crossAttentionDim;
    if (d !== null) feeds['encoderHiddenStates'] = nativeTensor(new Float32Array(b * CONTEXT_TOKENS * d), [b, CONTEXT_TOKENS, d]);
    const out = new Float32Array(z.length);
    const res = this.session.run(feeds, { eps: nativeTensor(out, shape) }, {});
    const got = res['eps']!.data as Float32Array;
    if (got !== out) out.set(got);
    return out;
  }

  dispose(): void {
    this.session.dispose();
  }
}
