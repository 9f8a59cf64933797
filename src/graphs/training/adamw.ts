/**
 * AdamW (decoupled weight decay, PyTorch's `torch.optim.AdamW` update) over named TF.js variables, with its
 * state exportable as host tensors for checkpoints.
 *
 * θ ← θ − lr·wd·θ;  m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;  θ ← θ − lr·(m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + ε)
 *
 * ```ts
 * const opt = new AdamW(vars, { lr: 5e-5 });
 * opt.apply(grads);  // grads: Record<name, tf.Tensor>
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor } from '../../backends/backend.js';

export interface AdamWOptions {
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** PyTorch default 0.01. */
  readonly weightDecay?: number;
  /** Clip the global gradient norm to this (official: 1.0); 0 or absent: no clipping. */
  readonly maxGradNorm?: number;
}

export class AdamW {
  private t = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    readonly vars: ReadonlyMap<string, tf.Variable>,
    readonly opts: AdamWOptions,
  ) {
    for (const [name, p] of vars) {
      const zm = tf.zerosLike(p);
      const zv = tf.zerosLike(p);
      this.m.set(name, tf.variable(zm, false));
      this.v.set(name, tf.variable(zv, false));
      tf.dispose([zm, zv]);
    }
  }

  get step(): number {
    return this.t;
  }

  /** Apply one update; returns the global gradient norm before clipping. */
  apply(grads: Readonly<Record<string, tf.Tensor>>): number {
    const b1 = this.opts.beta1 ?? 0.9;
    const b2 = this.opts.beta2 ?? 0.999;
    const eps = this.opts.eps ?? 1e-8;
    const wd = this.opts.weightDecay ?? 0.01;
    const lr = this.opts.lr;
    const norm = tf.tidy(() => {
      const sq = Object.values(grads).map((g) => tf.sum(tf.square(g)));
      return sq.length ? Math.sqrt(tf.addN(sq).dataSync()[0]!) : 0;
    });
    const clip = this.opts.maxGradNorm && norm > this.opts.maxGradNorm ? this.opts.maxGradNorm / (norm + 1e-6) : 1;
    this.t++;
    const bc1 = 1 - b1 ** this.t;
    const bc2 = 1 - b2 ** this.t;
    for (const [name, p] of this.vars) {
      const g0 = grads[name];
      if (!g0) continue;
      tf.tidy(() => {
        const g = clip === 1 ? g0 : tf.mul(g0, clip);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const upd = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), eps));
        p.assign(tf.sub(tf.mul(p, 1 - lr * wd), tf.mul(upd, lr)));
      });
    }
    return norm;
  }

  /** Moments and step count as host tensors (`<name>.m`, `<name>.v`, `__step__`). */
  state(): Map<string, HostTensor> {
    const out = new Map<string, HostTensor>();
    for (const [name, m] of this.m) out.set(`${name}.m`, { shape: m.shape, data: m.dataSync() as Float32Array });
    for (const [name, v] of this.v) out.set(`${name}.v`, { shape: v.shape, data: v.dataSync() as Float32Array });
    out.set('__step__', { shape: [1], data: Float32Array.of(this.t) });
    return out;
  }

  /** Restore what {@link state} returned. */
  load(state: ReadonlyMap<string, HostTensor>): void {
    for (const [name, m] of this.m) {
      const s = state.get(`${name}.m`);
      if (!s) throw new Error(`optimizer state has no ${name}.m`);
      tf.tidy(() => m.assign(tf.tensor(s.data, m.shape)));
    }
    for (const [name, v] of this.v) {
      const s = state.get(`${name}.v`);
      if (!s) throw new Error(`optimizer state has no ${name}.v`);
      tf.tidy(() => v.assign(tf.tensor(s.data, v.shape)));
    }
    this.t = state.get('__step__')?.data[0] ?? 0;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}
