/**
 * The distillation nets' two scores as a {@link Backend}, so the training step reaches them through the same
 * contract (and the same `score` operator code, `scoresAt`) as an ONNX teacher: `teacherUnet` is the frozen
 * teacher (`teacherBackend: "tfjs"`), `unet` the fake score (the teacher's UNet + the fake LoRA, as the `fake`
 * backend of `scoresAt`). Inputs and outputs as the contract names them (`sample`, `timestep` [B] per sample,
 * `encoderHiddenStates` → `eps`), synchronously too (`runSync`: the step then takes the scores inside its
 * gradient tape). The nets stay the caller's: `dispose` releases nothing.
 *
 * ```ts
 * const b = distillScoreBackend(nets);
 * const { x0Teacher, x0Fake } = await scoresAt(b, modelFacts(nets.spec), zTv, ts.tV, { fake: b });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Backend, HostTensor, SubNetwork } from '../../backends/backend.js';
import type { DistillNets } from './nets.js';

const asTensor = (t: HostTensor): tf.Tensor => tf.tensor(t.data, [...t.shape]);

export function distillScoreBackend(nets: DistillNets): Backend {
  const runSync = (net: SubNetwork, inputs: Readonly<Record<string, HostTensor>>): Record<string, HostTensor> => {
    if (net !== 'unet' && net !== 'teacherUnet') throw new Error(`the distillation nets serve unet (fake score) and teacherUnet, not ${net}`);
    const { sample, timestep, encoderHiddenStates } = inputs;
    if (!sample || !timestep) throw new Error(`${net}: needs sample and timestep`);
    const eps = tf.tidy(() => {
      const z = asTensor(sample);
      const t = tf.tensor1d(timestep.data, 'float32');
      const ctx = encoderHiddenStates ? asTensor(encoderHiddenStates) : undefined;
      return net === 'teacherUnet' ? nets.teacherEps(z, t, ctx) : nets.fakeEps(z, t, ctx);
    });
    const out = { shape: eps.shape, data: Float32Array.from(eps.dataSync() as Float32Array) };
    eps.dispose();
    return { eps: out };
  };
  return {
    info: { name: 'tfjs', runtime: 'distillation nets on TF.js (teacherUnet: the frozen teacher; unet: the fake score)' },
    runSync,
    run: async (net, inputs) => runSync(net, inputs),
    async dispose() {},
  };
}
