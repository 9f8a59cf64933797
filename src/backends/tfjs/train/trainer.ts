/**
 * The training extension of the TF.js backend: a set of named variables, AdamW, global-norm clipping, a seeded
 * RNG, and checkpoints (variables + optimizer moments + step + RNG state, one safetensors file written
 * atomically) that resume exactly.
 *
 * One trainer per optimizer: TADSR's distillation runs two (the student's LoRA + TAE time layers, and the fake
 * score's LoRA), each over its own variables, in the same process.
 */
import { rename, rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor } from '../../backend.js';
import { SafetensorsFile, writeSafetensors } from '../../../models/safetensors.js';
import { AdamW, type AdamWOptions } from './adamw.js';
import { clipGradNorm } from './clip-grad-norm.js';
import { SeededRng, type RngState } from './seeded-rng.js';

export interface TrainerOptions extends AdamWOptions {
  /** The variables to train, by name (names are the checkpoint's keys). */
  readonly variables: ReadonlyMap<string, tf.Variable>;
  /** Clip gradients to this global L2 norm (default: no clipping). */
  readonly maxGradNorm?: number;
  /** Seed of the trainer's RNG (`trainer.rng`: timesteps, noise), saved and restored with checkpoints. */
  readonly seed?: number;
}

/** What one step reports. */
export interface StepResult {
  readonly step: number;
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
}

const FORMAT = 'tadsr-tfjs-trainer-v1';

/** A trainer over named TF.js variables. */
export interface Trainer {
  readonly variables: ReadonlyMap<string, tf.Variable>;
  readonly optimizer: AdamW;
  /** Randomness that must resume with the run (draw timesteps / noise from it). */
  rng: SeededRng;
  /** Steps taken. */
  readonly step: number;
  /**
   * One optimisation step: gradients of `lossFn()` w.r.t. the trainer's variables (only those the loss uses get
   * updated), clipping, AdamW. Every tensor made inside `lossFn` is disposed; tensor counts return to where they
   * were (the optimizer's moments are created on the first step).
   */
  trainStep(lossFn: () => tf.Scalar, opts?: { readonly lr?: number }): StepResult;
  /** Write a checkpoint (atomic: temp file, then rename). */
  save(path: string, metadata?: Readonly<Record<string, string>>): Promise<void>;
  /** Restore variables, optimizer state, step and RNG from a checkpoint written by `save`. */
  load(path: string): Promise<Record<string, string>>;
  /** Free the optimizer state (the variables belong to their owner). */
  dispose(): void;
}

/**
 * Create a trainer.
 *
 * @example
 * const trainer = createTrainer({ variables: backend.selectParams('vae', (n) => n.includes('time_')), lr: 5e-5 });
 * for (let i = 0; i < 100; i++) {
 *   const { loss } = trainer.trainStep(() => lossOf(backend));
 *   if (i % 50 === 49) await trainer.save('ckpt.safetensors');
 * }
 */
export function createTrainer(opts: TrainerOptions): Trainer {
  const variables = opts.variables;
  const byTfName = new Map<string, string>();
  for (const [name, v] of variables) {
    if (!v.trainable) throw new Error(`createTrainer: variable "${name}" is not trainable`);
    byTfName.set(v.name, name);
  }
  const optimizer = new AdamW(opts);
  const varsByName = new Map(variables);

  const trainer: Trainer = {
    variables,
    optimizer,
    rng: new SeededRng(opts.seed ?? 0),
    get step() {
      return optimizer.stepCount;
    },
    trainStep(lossFn, sopts = {}) {
      const list = [...variables.values()];
      const { value, grads } = tf.variableGrads(lossFn, list);
      const named: Record<string, tf.Tensor> = {};
      for (const [tfName, g] of Object.entries(grads)) named[byTfName.get(tfName)!] = g;
      let gradNorm = NaN;
      let toApply = named;
      if (opts.maxGradNorm !== undefined) {
        const clipped = clipGradNorm(named, opts.maxGradNorm);
        gradNorm = clipped.norm;
        toApply = clipped.grads;
      } else {
        gradNorm = tf.tidy(() => Math.sqrt(tf.addN(Object.values(named).map((g) => tf.sum(tf.square(g)))).dataSync()[0]!));
      }
      optimizer.step(varsByName, toApply, sopts.lr);
      const loss = value.dataSync()[0]!;
      value.dispose();
      for (const g of Object.values(named)) g.dispose();
      if (toApply !== named) for (const g of Object.values(toApply)) g.dispose();
      return { step: optimizer.stepCount, loss, gradNorm };
    },
    async save(path, metadata = {}) {
      const tensors = new Map<string, HostTensor>();
      for (const [name, v] of variables) tensors.set(`param/${name}`, { shape: v.shape, data: Float32Array.from(v.dataSync() as Float32Array) });
      const state = optimizer.state();
      for (const [name, t] of state.m) tensors.set(`adam_m/${name}`, t);
      for (const [name, t] of state.v) tensors.set(`adam_v/${name}`, t);
      const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
      try {
        await writeSafetensors(tmp, tensors, {
          metadata: {
            ...metadata,
            format: FORMAT,
            step: String(state.step),
            rng: JSON.stringify(trainer.rng.state),
            optimizer: JSON.stringify({ beta1: optimizer.beta1, beta2: optimizer.beta2, eps: optimizer.eps, weightDecay: optimizer.weightDecay, lr: optimizer.lr }),
          },
        });
        await rename(tmp, path);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
    },
    async load(path) {
      const f = await SafetensorsFile.open(path);
      try {
        const meta = f.metadata;
        if (meta['format'] !== FORMAT) throw new Error(`${path}: not a tadsr TF.js trainer checkpoint (format ${meta['format'] ?? 'missing'})`);
        const all = await f.readAll();
        for (const [name, v] of variables) {
          const t = all.get(`param/${name}`);
          if (!t) throw new Error(`${path}: checkpoint has no parameter "${name}"`);
          if (t.shape.join() !== v.shape.join()) throw new Error(`${path}: "${name}" has shape [${t.shape}] but the variable is [${v.shape}]`);
          tf.tidy(() => v.assign(tf.tensor(t.data, [...t.shape])));
        }
        const pick = (prefix: string) =>
          new Map([...all].filter(([k]) => k.startsWith(prefix)).map(([k, t]) => [k.slice(prefix.length), t]));
        optimizer.loadState({ step: Number(meta['step']), m: pick('adam_m/'), v: pick('adam_v/') });
        trainer.rng = SeededRng.fromState(JSON.parse(meta['rng'] ?? 'null') as RngState);
        return { ...meta };
      } finally {
        await f.close();
      }
    },
    dispose() {
      optimizer.dispose();
    },
  };
  return trainer;
}
