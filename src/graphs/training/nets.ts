/**
 * The networks of a distillation run on TF.js: frozen weights as constants, the student's trainable parts
 * (UNet `conv_in`, UNet LoRA, VAE-encoder LoRA, the TAE's time layers) and the fake score's LoRA as variables,
 * and the forward passes the losses need.
 *
 * Trainable parameter keys (checkpoint names): `unet.<diffusers name>`, `vae.<diffusers name>` and the LoRA
 * tensors `unet.<module>.lora_A.weight` / `vae.<module>.lora_B.weight`; the fake score's: `fake.<module>.lora_*`
 * (the student UNet's LoRA modules plus `conv_in`, as the official fake score; `fakeLoraConvIn: false` leaves
 * `conv_in` out, the variable set of checkpoints written before it was added).
 *
 * Every network call takes its timestep per sample: a number (broadcast to the batch), one number per sample, or
 * a `[B]` tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor } from '../../backends/backend.js';
import { Rng } from '../../random/rng.js';
import type { NetOps, ParamLookup } from '../../models/net-ops.js';
import { type ModelWeights, type WeightMap, unetParamShapes, vaeParamShapes } from '../../models/params.js';
import type { ModelSpec } from '../../models/specs.js';
import { unetForward } from '../../models/unet.js';
import { posteriorMean, vaeDecode, vaeEncode } from '../../models/vae.js';
import { CONTEXT_TOKENS } from '../../models/text-condition.js';
import { type LoraModule, loraModules, mergeLora, officialLoraSpec } from '../../models/lora.js';
import { type LoraSet, createLora, loraWeights } from './lora.js';
import { posteriorSample } from './posterior.js';

/** A timestep for each sample of a batch: one for all, one per sample, or a `[B]` tensor. */
export type Timesteps = number | readonly number[] | tf.Tensor;

let runCounter = 0;

function constants(w: WeightMap): Map<string, tf.Tensor> {
  const m = new Map<string, tf.Tensor>();
  for (const [k, v] of w) m.set(k, tf.tensor(v.data, [...v.shape]));
  return m;
}

function lookup(...maps: ReadonlyMap<string, tf.Tensor>[]): ParamLookup<tf.Tensor> {
  return (name) => {
    for (const m of maps) {
      const t = m.get(name);
      if (t) return t;
    }
    throw new Error(`missing parameter ${name}`);
  };
}

export interface DistillNetsOptions {
  readonly spec: ModelSpec;
  /** Student start (UNet + VAE incl. TAE time layers). */
  readonly weights: ModelWeights;
  /** Frozen teacher UNet (also the base of the fake score). */
  readonly teacherUnet: WeightMap;
  /** Train and run the time-aware encoder (false: plain encoder, the `tae: false` ablation). */
  readonly tae: boolean;
  readonly loraRank: number;
  readonly loraAlpha: number;
  readonly seed: number;
  /** The fake score's LoRA also wraps the UNet's `conv_in` (official; default true). */
  readonly fakeLoraConvIn?: boolean;
}

/** The fake score's LoRA modules: the student UNet's, plus `conv_in` with the same adapter when asked. */
export function fakeLoraModules(unetModules: readonly LoraModule[], unetShapes: ReadonlyMap<string, readonly number[]>, convIn: boolean): LoraModule[] {
  if (!convIn || unetModules.length === 0 || unetModules.some((m) => m.module === 'conv_in')) return [...unetModules];
  const shape = unetShapes.get('conv_in.weight');
  if (shape === undefined) throw new Error('fake-score LoRA: the UNet has no conv_in');
  return [{ module: 'conv_in', adapter: unetModules[0]!.adapter, baseShape: shape }, ...unetModules];
}

export class DistillNets {
  readonly spec: ModelSpec;
  readonly tae: boolean;
  private readonly unetBase: Map<string, tf.Tensor>;
  private readonly teacher: Map<string, tf.Tensor>;
  private readonly vaeBase: Map<string, tf.Tensor>;
  /** Student parameters trained fully (conv_in, time layers), by diffusers name. */
  private readonly unetFull = new Map<string, tf.Variable>();
  private readonly vaeFull = new Map<string, tf.Variable>();
  readonly unetLora: LoraSet;
  readonly vaeLora: LoraSet;
  readonly fakeLora: LoraSet;
  /** All student variables by checkpoint key. */
  readonly studentVars = new Map<string, tf.Variable>();
  readonly fakeVars = new Map<string, tf.Variable>();

  constructor(readonly ops: NetOps<tf.Tensor>, o: DistillNetsOptions) {
    const run = `distill${runCounter++}`;
    this.spec = o.spec;
    this.tae = o.tae && o.spec.tae !== undefined;
    this.unetBase = constants(o.weights.unet);
    this.teacher = o.teacherUnet === o.weights.unet ? this.unetBase : constants(o.teacherUnet);
    this.vaeBase = constants(o.weights.vae);
    for (const name of ['conv_in.weight', 'conv_in.bias']) {
      const v = tf.variable(this.unetBase.get(name)!, true, `${run}/unet.${name}`);
      this.unetFull.set(name, v);
      this.studentVars.set(`unet.${name}`, v);
    }
    if (this.tae) {
      for (const [name, t] of this.vaeBase) {
        if (!name.includes('time_emb')) continue;
        const v = tf.variable(t, true, `${run}/vae.${name}`);
        this.vaeFull.set(name, v);
        this.studentVars.set(`vae.${name}`, v);
      }
    }
    const unetShapes = unetParamShapes(o.spec.unet);
    const vaeShapes = vaeParamShapes(o.spec.vae, o.spec.tae);
    const lora = officialLoraSpec(o.loraRank, o.loraAlpha);
    const unetModules = loraModules(lora, 'unet', unetShapes);
    this.unetLora = createLora(`${run}/unet`, unetModules, Rng.forImage(o.seed, 'init', 'lora-unet'));
    this.vaeLora = createLora(`${run}/vae`, loraModules(lora, 'vae', vaeShapes), Rng.forImage(o.seed, 'init', 'lora-vae'));
    this.fakeLora = createLora(`${run}/fake`, fakeLoraModules(unetModules, unetShapes, o.fakeLoraConvIn ?? true), Rng.forImage(o.seed, 'init', 'lora-fake'));
    for (const [k, v] of this.unetLora.variables) this.studentVars.set(`unet.${k}`, v);
    for (const [k, v] of this.vaeLora.variables) this.studentVars.set(`vae.${k}`, v);
    for (const [k, v] of this.fakeLora.variables) this.fakeVars.set(`fake.${k}`, v);
  }

  /** The fixed text-free condition `[B, 1, crossAttentionDim]` of zeros, or undefined without cross-attention. */
  context(batch: number): tf.Tensor | undefined {
    const d = this.spec.unet.crossAttentionDim;
    return d === null ? undefined : tf.zeros([batch, CONTEXT_TOKENS, d]);
  }

  private timestep(t: Timesteps, batch: number): tf.Tensor {
    if (typeof t === 'number') return tf.fill([batch], t);
    if (t instanceof tf.Tensor) {
      if (t.rank !== 1 || t.shape[0] !== batch) throw new RangeError(`timesteps [${t.shape.join(', ')}] for a batch of ${batch}`);
      return t;
    }
    const ts = t as readonly number[];
    if (ts.length !== batch) throw new RangeError(`${ts.length} timesteps for a batch of ${batch}`);
    return tf.tensor1d([...ts], 'float32');
  }

  /** Whether the student's encoder has a posterior to sample (AutoencoderKL); TAESD-family encoders are deterministic. */
  get samplesPosterior(): boolean {
    return this.spec.vae.arch !== 'taesd';
  }

  /** The latent shape `[B, latentChannels, H/f, W/f]` the encoder makes of pixels `[B, 3, H, W]`. */
  latentShape(pixels: readonly number[]): [number, number, number, number] {
    const f = 2 ** (this.spec.vae.blockOutChannels.length - 1);
    return [pixels[0]!, this.spec.vae.latentChannels, Math.floor(pixels[2]! / f), Math.floor(pixels[3]! / f)];
  }

  /**
   * z_L = E(x, t_s)·scale with the student's LoRA and time layers: the posterior mean, or with `noise` (standard
   * normal, the latent's shape) a posterior sample μ + σ·noise (official training; ignored by a deterministic
   * TAESD-family encoder). `of: 'start'`: the student's start instead (the weights it was created from, no LoRA;
   * frozen) — the anchor's target.
   */
  encode(x: tf.Tensor, tS: Timesteps, noise?: tf.Tensor, of: 'student' | 'start' = 'student'): tf.Tensor {
    const batch = x.shape[0]!;
    const p = of === 'student' ? lookup(this.vaeFull, this.vaeBase) : lookup(this.vaeBase);
    const moments = vaeEncode(this.ops, this.spec.vae, p, x, {
      ...(of === 'student' ? { lora: this.vaeLora.lookup } : {}),
      ...(this.tae ? { tae: this.spec.tae, timestep: this.timestep(tS, batch) } : {}),
    });
    const z = noise && this.samplesPosterior ? posteriorSample(this.ops, moments, noise) : posteriorMean(this.ops, moments);
    return this.ops.scale(z, this.spec.vae.scalingFactor);
  }

  /** Student ε at t (`of: 'start'`: the student's start, frozen, as in {@link encode}). */
  studentEps(z: tf.Tensor, t: Timesteps, of: 'student' | 'start' = 'student'): tf.Tensor {
    const batch = z.shape[0]!;
    const ctx = this.context(batch);
    const input = { sample: z, timestep: this.timestep(t, batch), ...(ctx ? { encoderHiddenStates: ctx } : {}) };
    return of === 'student'
      ? unetForward(this.ops, this.spec.unet, lookup(this.unetFull, this.unetBase), input, { lora: this.unetLora.lookup })
      : unetForward(this.ops, this.spec.unet, lookup(this.unetBase), input);
  }

  /** Frozen teacher ε. */
  teacherEps(z: tf.Tensor, t: Timesteps, context?: tf.Tensor): tf.Tensor {
    const batch = z.shape[0]!;
    const ctx = context ?? this.context(batch);
    const ts = this.timestep(t, batch);
    return unetForward(this.ops, this.spec.unet, lookup(this.teacher), { sample: z, timestep: ts, ...(ctx ? { encoderHiddenStates: ctx } : {}) });
  }

  /** Fake score ε: the teacher's UNet + the fake LoRA (condition: `context`, default the fixed one). */
  fakeEps(z: tf.Tensor, t: Timesteps, context?: tf.Tensor): tf.Tensor {
    const batch = z.shape[0]!;
    const ctx = context ?? this.context(batch);
    const ts = this.timestep(t, batch);
    return unetForward(this.ops, this.spec.unet, lookup(this.teacher), { sample: z, timestep: ts, ...(ctx ? { encoderHiddenStates: ctx } : {}) }, { lora: this.fakeLora.lookup });
  }

  /** Pixels in [−1, 1] (unclamped) from ẑ (× scale); the decoder is frozen. */
  decode(zHat: tf.Tensor): tf.Tensor {
    return vaeDecode(this.ops, this.spec.vae, lookup(this.vaeBase), this.ops.scale(zHat, 1 / this.spec.vae.scalingFactor));
  }

  /** The student as plain weights (fully trained parts copied in, LoRA merged): what a model directory holds. */
  mergedStudent(): ModelWeights {
    const host = (m: ReadonlyMap<string, tf.Tensor>): WeightMap => {
      const out: WeightMap = new Map();
      for (const [k, t] of m) out.set(k, { shape: t.shape, data: Float32Array.from(t.dataSync() as Float32Array) } satisfies HostTensor);
      return out;
    };
    const unet = host(new Map([...this.unetBase, ...this.unetFull]));
    let vae = host(new Map([...this.vaeBase, ...this.vaeFull]));
    if (!this.tae) vae = new Map([...vae].filter(([k]) => !k.includes('time_emb')));
    return { unet: mergeLora(unet, loraWeights(this.unetLora), this.unetLora.modules), vae: mergeLora(vae, loraWeights(this.vaeLora), this.vaeLora.modules) };
  }

  dispose(): void {
    const seen = new Set<tf.Tensor>();
    for (const m of [this.unetBase, this.teacher, this.vaeBase, this.unetFull, this.vaeFull, this.studentVars, this.fakeVars]) {
      for (const t of m.values()) {
        if (!seen.has(t)) {
          seen.add(t);
          t.dispose();
        }
      }
    }
  }
}
