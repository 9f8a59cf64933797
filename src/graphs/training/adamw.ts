/**
 * The optimizer the training graphs use: the TF.js backend's {@link BackendAdamW} (PyTorch `AdamW` semantics,
 * tested against its formula) bound to a fixed set of named variables, with optional global-norm clipping
 * (`clipGradNorm`, PyTorch `clip_grad_norm_`) and a flat checkpoint state (`<name>.m`, `<name>.v`, `__step__`).
 *
 * ```ts
 * const opt = new AdamW(vars, { lr: 5e-5, maxGradNorm: 1 });
 * const norm = opt.apply(grads);  // grads: Record<name, tf.Tensor>; returns the norm before clipping
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor } from '../../backends/backend.js';
import { AdamW as BackendAdamW, type AdamWOptions as BackendAdamWOptions } from '../../backends/tfjs/train/adamw.js';
import { clipGradNorm } from '../../backends/tfjs/train/clip-grad-norm.js';

export interface AdamWOptions extends BackendAdamWOptions {
  /** Clip the global gradient norm to this (official: 1.0); 0 or absent: no clipping. */
  readonly maxGradNorm?: number;
}

export class AdamW {
  private readonly opt: BackendAdamW;

  constructor(
    readonly vars: ReadonlyMap<string, tf.Variable>,
    readonly opts: AdamWOptions,
  ) {
    this.opt = new BackendAdamW(opts);
  }

  get step(): number {
    return this.opt.stepCount;
  }

  /** Apply one update to the variables that have a gradient; returns the global gradient norm before clipping. */
  apply(grads: Readonly<Record<string, tf.Tensor>>): number {
    const own: Record<string, tf.Tensor> = {};
    for (const name of Object.keys(grads)) if (this.vars.has(name)) own[name] = grads[name]!;
    const { grads: clipped, norm } = clipGradNorm(own, this.opts.maxGradNorm || Number.POSITIVE_INFINITY);
    try {
      this.opt.step(this.vars, clipped);
    } finally {
      tf.dispose(Object.values(clipped));
    }
    return norm;
  }

  /** Moments and step count as host tensors (`<name>.m`, `<name>.v`, `__step__`); zeros before a first update. */
  state(): Map<string, HostTensor> {
    const s = this.opt.state();
    const out = new Map<string, HostTensor>();
    for (const [name, p] of this.vars) {
      const zeros = (): HostTensor => ({ shape: p.shape, data: new Float32Array(p.size) });
      out.set(`${name}.m`, s.m.get(name) ?? zeros());
      out.set(`${name}.v`, s.v.get(name) ?? zeros());
    }
    out.set('__step__', { shape: [1], data: Float32Array.of(s.step) });
    return out;
  }

  /** Restore what {@link state} returned. */
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
    this.opt.loadState({ step: state.get('__step__')?.data[0] ?? 0, m, v });
  }

  dispose(): void {
    this.opt.dispose();
  }
}
