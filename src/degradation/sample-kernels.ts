/**
 * Kernel sampling of `RealESRGANDataset.__getitem__` (reference §2) — one blur kernel per stage plus the final
 * sinc/pulse kernel — returning each kernel with a plain record of what was drawn.
 *
 * Quirks kept on purpose (reference §9):
 * - **plateau β**: β is drawn from `U(lo, 1)` or `U(1, hi)` with probability ½ each, so with the default
 *   `betap_range = [1, 2]` half of all plateau kernels get `β = U(1, 1) = 1` exactly;
 * - **isotropic types** draw only σx; the record shows `sigmaY = sigmaX`, `theta = 0`, as BasicSR passes them;
 * - the blur size is drawn from `kernel_range` (7…21) and `blur_kernel_size` is unused, as in BasicSR;
 * - `sinc` cut-off: `U(π/3, π)` for size < 13, else `U(π/5, π)`; the final sinc always `U(π/3, π)`.
 * Anisotropic σy is drawn independently from the same range as σx (so σy may exceed σx), θ ~ U(−π, π).
 *
 * ```ts
 * const { kernel, record } = sampleBlurKernel(cfg, 1, Rng.forImage(0, 'img', 'kernel1'));
 * ```
 */
import type { DegradationConfig, KernelType } from './config.js';
import type { FilterKernel } from './filter2d.js';
import {
  bivariateGaussian,
  bivariateGeneralizedGaussian,
  bivariatePlateau,
  circularLowpassKernel,
  gaussianKernel1D,
  padKernel,
  pulseKernel,
} from './kernels.js';
import type { Rng } from '../random/rng.js';

export type KernelRecord =
  | { type: 'iso' | 'aniso'; size: number; sigmaX: number; sigmaY: number; theta: number }
  | {
      type: 'generalized_iso' | 'generalized_aniso' | 'plateau_iso' | 'plateau_aniso';
      size: number;
      sigmaX: number;
      sigmaY: number;
      theta: number;
      beta: number;
    }
  | { type: 'sinc'; size: number; omega: number }
  | { type: 'pulse'; size: number };

export interface SampledKernel {
  readonly kernel: FilterKernel;
  readonly record: KernelRecord;
}

function drawBeta(rng: Rng, [lo, hi]: readonly [number, number]): number {
  return rng.random() < 0.5 ? rng.uniform(lo, 1) : rng.uniform(1, hi);
}

/**
 * The blur kernel of stage 1 (`stage = 1`) or stage 2 (`stage = 2`, the `*2` keys), zero-padded to 21×21 as
 * BasicSR does (`filter2D` only visits the non-zero support, so the padding costs nothing).
 */
export function sampleBlurKernel(cfg: DegradationConfig, stage: 1 | 2, rng: Rng): SampledKernel {
  const s = drawBlurKernel(cfg, stage, rng);
  const to = Math.max(21, s.kernel.size);
  const kernel: FilterKernel = padKernel(s.kernel, to);
  if (s.kernel.separable) {
    const p = (to - s.kernel.size) / 2;
    const g = new Float64Array(to);
    g.set(s.kernel.separable, p);
    return { kernel: { ...kernel, separable: g }, record: s.record };
  }
  return { kernel, record: s.record };
}

function drawBlurKernel(cfg: DegradationConfig, stage: 1 | 2, rng: Rng): SampledKernel {
  const s2 = stage === 2;
  const size = rng.choice(cfg.kernel_range);
  if (rng.random() < (s2 ? cfg.sinc_prob2 : cfg.sinc_prob)) {
    const [lo, hi] = size < 13 ? cfg.sinc_omega_small : cfg.sinc_omega_large;
    const omega = rng.uniform(lo, hi);
    return { kernel: circularLowpassKernel(omega, size), record: { type: 'sinc', size, omega } };
  }
  const list = s2 ? cfg.kernel_list2 : cfg.kernel_list;
  const probs = s2 ? cfg.kernel_prob2 : cfg.kernel_prob;
  const sigma = s2 ? cfg.blur_sigma2 : cfg.blur_sigma;
  const type: KernelType = rng.choices(list, probs);
  const sigmaX = rng.uniform(sigma[0], sigma[1]);
  const iso = type.endsWith('_iso') || type === 'iso';
  let sigmaY = sigmaX;
  let theta = 0;
  if (!iso) {
    sigmaY = rng.uniform(sigma[0], sigma[1]);
    theta = rng.uniform(-Math.PI, Math.PI);
  }
  switch (type) {
    case 'iso': {
      const kernel = bivariateGaussian(size, sigmaX, sigmaY, theta, true);
      // exp(−(x²+y²)/2σ²)/Σ = g(x)·g(y) exactly: filter separably.
      return { kernel: { ...kernel, separable: gaussianKernel1D(size, sigmaX) }, record: { type, size, sigmaX, sigmaY, theta } };
    }
    case 'aniso':
      return { kernel: bivariateGaussian(size, sigmaX, sigmaY, theta, false), record: { type, size, sigmaX, sigmaY, theta } };
    case 'generalized_iso':
    case 'generalized_aniso': {
      const beta = drawBeta(rng, s2 ? cfg.betag_range2 : cfg.betag_range);
      const kernel = bivariateGeneralizedGaussian(size, sigmaX, sigmaY, theta, beta, iso);
      return { kernel, record: { type, size, sigmaX, sigmaY, theta, beta } };
    }
    case 'plateau_iso':
    case 'plateau_aniso': {
      const beta = drawBeta(rng, s2 ? cfg.betap_range2 : cfg.betap_range);
      const kernel = bivariatePlateau(size, sigmaX, sigmaY, theta, beta, iso);
      return { kernel, record: { type, size, sigmaX, sigmaY, theta, beta } };
    }
  }
}

/** The final kernel: sinc with probability `final_sinc_prob` (padded to 21), else the 21×21 pulse. */
export function sampleFinalKernel(cfg: DegradationConfig, rng: Rng): SampledKernel {
  if (rng.random() < cfg.final_sinc_prob) {
    const size = rng.choice(cfg.kernel_range);
    const omega = rng.uniform(cfg.final_sinc_omega[0], cfg.final_sinc_omega[1]);
    return { kernel: circularLowpassKernel(omega, size, 21), record: { type: 'sinc', size, omega } };
  }
  return { kernel: pulseKernel(21), record: { type: 'pulse', size: 21 } };
}
