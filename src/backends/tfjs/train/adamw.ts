/**
 * The one AdamW of the project (Loshchilov & Hutter, decoupled weight decay) — PyTorch `torch.optim.AdamW`
 * semantics over a fixed set of named TF.js variables, with optional global-norm clipping first
 * (`clip_grad_norm_`, see ./clip-grad-norm.ts):
 *
 *   p ← p − lr·λ·p
 *   m ← β₁·m + (1−β₁)·g,   v ← β₂·v + (1−β₂)·g²
 *   p ← p − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
 *
 * Moments live in TF.js tensors owned by the optimizer (freed by `dispose()`); `state()` / `load()` move them to
 * and from host arrays in the run checkpoints' flat layout (`<name>.m`, `<name>.v`, `__step__`).
 *
 * ```ts
 * const opt = new AdamW(vars, { lr: 5e-5, weightDecay: 0.01, maxGradNorm: 1 });   // vars: Map<name, tf.Variable>
 * const norm = opt.apply(grads);                   // grads by the same names; returns the norm before clipping
 * const { loss, gradNorm } = opt.minimize(() => lossOf(vars));   // gradients of a loss, then apply
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor } from '../../backend.js';
import { clipGradNorm } from './clip-grad-norm.js';

export interface AdamWOptions {
  /** Learning rate (TADSR: 5e-5). */
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** Decoupled weight decay λ (PyTorch default 0.01). */
  readonly weightDecay?: number;
  /** Clip the global gradient norm to this (official: 1.0) before the update; 0 or absent: no clipping. */
  readonly maxGradNorm?: number;
}

/** AdamW over named TF.js variables (the names are the checkpoint's keys). */
export class AdamW {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly maxGradNorm: number;
  private t = 0;
  private readonly m = new Map<string, tf.Tensor>();
  private readonly v = new Map<string, tf.Tensor>();

  constructor(
    readonly vars: ReadonlyMap<string, tf.Variable>,
    opts: AdamWOptions,
  ) {
    this.lr = opts.lr;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
    this.maxGradNorm = opts.maxGradNorm || Number.POSITIVE_INFINITY;
  }

  /** Number of updates taken. */
  get step(): number {
    return this.t;
  }

  /**
   * One update of the variables that have a gradient in `grads` (others are left untouched, as PyTorch skips
   * parameters whose `.grad` is None; names that are not this optimizer's are ignored). Returns the global
   * gradient norm before clipping. `lr` overrides the learning rate for this step (schedules). The caller keeps
   * ownership of `grads`.
   */
  apply(grads: Readonly<Record<string, tf.Tensor>>, lr = this.lr): number {
    const own: Record<string, tf.Tensor> = {};
    for (const name of Object.keys(grads)) if (this.vars.has(name)) own[name] = grads[name]!;
    const { grads: clipped, norm } = clipGradNorm(own, this.maxGradNorm);
    try {
      this.update(clipped, lr);
    } finally {
      tf.dispose(Object.values(clipped));
    }
    return norm;
  }

  /**
   * Gradients of `lossFn()` with respect to this optimizer's variables (only those the loss uses are updated),
   * then {@link apply}. Every tensor made inside `lossFn` is released.
   */
  minimize(lossFn: () => tf.Scalar, lr = this.lr): { readonly loss: number; readonly gradNorm: number } {
    const byTfName = new Map([...this.vars].map(([name, v]) => [v.name, name]));
    const { value, grads } = tf.variableGrads(lossFn, [...this.vars.values()]);
    try {
      const named: Record<string, tf.Tensor> = {};
      for (const [tfName, g] of Object.entries(grads)) named[byTfName.get(tfName)!] = g;
      const gradNorm = this.apply(named, lr);
      return { loss: value.dataSync()[0]!, gradNorm };
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  }

  private update(grads: Readonly<Record<string, tf.Tensor>>, lr: number): void {
    this.t += 1;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    for (const [name, g] of Object.entries(grads)) {
      const p = this.vars.get(name)!;
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

  /** Moments and step count as host tensors (`<name>.m`, `<name>.v`, `__step__`); zeros before a first update. */
  state(): Map<string, HostTensor> {
    const host = (t: tf.Tensor | undefined, p: tf.Variable): HostTensor =>
      t ? { shape: t.shape, data: Float32Array.from(t.dataSync() as Float32Array) } : { shape: p.shape, data: new Float32Array(p.size) };
    const out = new Map<string, HostTensor>();
    for (const [name, p] of this.vars) {
      out.set(`${name}.m`, host(this.m.get(name), p));
      out.set(`${name}.v`, host(this.v.get(name), p));
    }
    out.set('__step__', { shape: [1], data: Float32Array.of(this.t) });
    return out;
  }

  /** Restore what {@link state} returned (resume). */
  load(state: ReadonlyMap<string, HostTensor>): void {
    const m = new Map<string, HostTensor>();
    const v = new Map<string, HostTensor>();
    for (const name of this.vars.keys()) {
      const ms = state.get(`${name}.m`);
      const vs = state.get(`${name}.v`);
      if (!ms) throw new Error(`optimizer state has no ${name}.m`);
      if (!vs) throw new Error(`optimizer state has no ${name}.v`);
      m.set(name, ms);
      v.set(name, vs);
    }
    this.dispose();
    this.t = state.get('__step__')?.data[0] ?? 0;
    for (const [k, h] of m) this.m.set(k, tf.tensor(h.data, [...h.shape]));
    for (const [k, h] of v) this.v.set(k, tf.tensor(h.data, [...h.shape]));
  }

  /** Free the moment tensors (the variables belong to their owner). */
  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}
