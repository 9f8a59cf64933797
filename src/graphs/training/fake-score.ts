/**
 * The TF.js side of the fake score's update: a {@link FakeScoreTrainer} over the distillation nets' fake-score LoRA
 * and its AdamW — the diffusion loss MSE(ε_φ(z_t, t), n) (`diffusionLoss`, as everywhere in tadsr), its gradient
 * and one optimiser step. The noising z_t = α_t·sg(ẑ) + σ_t·n, the noise and the timesteps are the operator's
 * (src/operators/fake-score.ts, `updateFakeScore`), which `trainStep` runs after the student's update.
 *
 * ```ts
 * const { loss, gradNorm } = await updateFakeScore(fakeScoreTrainer(nets, optF), modelFacts(nets.spec), zHat, ts.tFake, { seed, id: `step-${step}` });
 * ```
 */
import '../../backends/tfjs/register-gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import type { AdamW } from '../../backends/tfjs/train/adamw.js';
import { diffusionLoss } from '../../losses/diffusion-loss.js';
import type { FakeScoreTrainer } from '../../operators/fake-score.js';
import type { DistillNets } from './nets.js';

/** One AdamW step of `nets`' fake-score LoRA by `opt` per call (per-sample timesteps). */
export function fakeScoreTrainer(nets: DistillNets, opt: AdamW): FakeScoreTrainer {
  return {
    step(ztHost, t, noise) {
      const vars = [...nets.fakeVars.values()];
      const res = tf.variableGrads(() => {
        const zt = tf.tensor(ztHost.data, [...ztHost.shape]);
        const n = tf.tensor(noise.data, [...noise.shape]);
        return diffusionLoss(nets.fakeEps(zt, t), n);
      }, vars);
      const byKey: Record<string, tf.Tensor> = {};
      for (const [k, v] of nets.fakeVars) if (res.grads[v.name]) byKey[k] = res.grads[v.name]!;
      const gradNorm = opt.apply(byKey);
      const loss = res.value.dataSync()[0]!;
      tf.dispose([res.value, ...Object.values(res.grads)]);
      return { loss, gradNorm };
    },
  };
}
