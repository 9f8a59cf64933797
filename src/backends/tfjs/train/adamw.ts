/**
 * AdamW (Loshchilov & Hutter) with decoupled weight decay — PyTorch `torch.optim.AdamW` semantics:
 *
 *   p ← p − lr·λ·p
 *   m ← β₁·m + (1−β₁)·g,   v ← β₂·v + (1−β₂)·g²
 *   p ← p − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
 *
 * Moments live in TF.js tensors owned by the optimizer (disposed by `dispose()`); `state()` / `loadState()`
 * move them to and from host arrays for checkpoints.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor } from '../../backend.js';

export interface AdamWOptions {
  /** Learning rate (TADSR: 5e-5). */
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** Decoupled weight decay λ (PyTorch default 0.01). */
  readonly weightDecay?: number;
}

/** The optimizer's state as host data: step count and the two moments per parameter name. */
export interface AdamWState {
  readonly step: number;
  readonly m: ReadonlyMap<string, HostTensor>;
  readonly v: ReadonlyMap<string, HostTensor>;
}

/**
 * AdamW over named TF.js variables.
 *
 * @example
 * const opt = new AdamW({ lr: 5e-5, weightDecay: 0.01 });
 * const { grads } = tf.variableGrads(() => loss(), vars);  // grads by variable name
 * opt.step(varsByName, grads);
 */
export class AdamW {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private t = 0;
  private readonly m = new Map<string, tf.Tensor>();
  private readonly v = new Map<string, tf.Tensor>();

  constructor(opts: AdamWOptions) {
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
  }

  /** Number of steps taken. */
  get stepCount(): number {
    return this.t;
  }

  /**
   * One update of every variable that has a gradient (variables without one are left untouched, as PyTorch
   * skips parameters whose `.grad` is None). `lr` overrides the learning rate for this step (schedules).
   */
  step(vars: ReadonlyMap<string, tf.Variable>, grads: Readonly<Record<string, tf.Tensor>>, lr = this.lr): void {
    this.t += 1;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    for (const [name, g] of Object.entries(grads)) {
      const p = vars.get(name);
      if (!p) throw new Error(`AdamW: gradient for unknown variable "${name}"`);
      const m0 = this.m.get(name);
      const v0 = this.v.get(name);
      const [m1, v1] = tf.tidy(() => {
        const m = m0 ? tf.add(tf.mul(m0, this.beta1), tf.mul(g, 1 - this.beta1)) : tf.mul(g, 1 - this.beta1);
        const v = v0 ? tf.add(tf.mul(v0, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)) : tf.mul(tf.square(g), 1 - this.beta2);
        const decayed = this.weightDecay === 0 ? p : tf.mul(p, 1 - lr * this.weightDecay);
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), this.eps));
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
        return [tf.keep(m), tf.keep(v)];
      });
      m0?.dispose();
      v0?.dispose();
      this.m.set(name, m1!);
      this.v.set(name, v1!);
    }
  }

  /** Host copy of the state (for checkpoints). */
  state(): AdamWState {
    const host = (src: Map<string, tf.Tensor>) =>
      new Map([...src].map(([k, t]) => [k, { shape: t.shape, data: Float32Array.from(t.dataSync() as Float32Array) }]));
    return { step: this.t, m: host(this.m), v: host(this.v) };
  }

  /** Replace the state (resume). */
  loadState(s: AdamWState): void {
    this.dispose();
    this.t = s.step;
    for (const [k, h] of s.m) this.m.set(k, tf.tensor(h.data, [...h.shape]));
    for (const [k, h] of s.v) this.v.set(k, tf.tensor(h.data, [...h.shape]));
  }

  /** Free the moment tensors. */
  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
