/**
 * LoRA adapters as TF.js variables (PEFT conventions: `A` Gaussian with std 1/r, `B` zero, output scale α/r), the
 * official TADSR target selection, and merging into plain weights for export.
 *
 * ```ts
 * const modules = unetLoraTargets(unetParamShapes(spec.unet));
 * const lora = createLora('student.unet', shapes, modules, { rank: 4, alpha: 8 }, rng);
 * unetForward(ops, spec.unet, p, inputs, { lora: lora.lookup });
 * const merged = mergeLora(weights, lora);   // for model.json + safetensors
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor } from '../../backends/backend.js';
import type { Rng } from '../../degradation/rng.js';
import type { LoraLookup } from '../../models/layers.js';
import type { ShapeMap, WeightMap } from '../../models/params.js';

export interface LoraOptions {
  readonly rank: number;
  /** PEFT `lora_alpha` (its default, 8, is what the official code used with rank 4: scale 2). */
  readonly alpha: number;
}

export interface LoraSet {
  /** Module name → its pair of variables. */
  readonly pairs: ReadonlyMap<string, { readonly a: tf.Variable; readonly b: tf.Variable }>;
  readonly scale: number;
  readonly lookup: LoraLookup<tf.Tensor>;
  /** All variables by a checkpoint name (`<module>.lora_A.weight`, `<module>.lora_B.weight`). */
  readonly variables: ReadonlyMap<string, tf.Variable>;
}

const UNET_PATTERNS = /(^|\.)(to_k|to_q|to_v|to_out\.0|conv|conv1|conv2|conv_shortcut|conv_out|proj_out|proj_in|ff\.net\.2|ff\.net\.0\.proj)$/;
const VAE_PATTERNS = /(^|\.)(conv|conv1|conv2|conv_in|conv_shortcut|conv_out|to_k|to_q|to_v|to_out\.0)$/;
/** The convs of a TAESD-family encoder (`taesd.ts`): `encoder.<i>`, `encoder.<i>.conv.<j>`, `encoder.<i>.pool.<0|3>`. */
const TAESD_ENCODER_CONV = /^encoder\.\d+(\.conv\.\d+|\.pool\.[03])?$/;

function modules(shapes: ShapeMap): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [];
  for (const [name, shape] of shapes) {
    if (!name.endsWith('.weight') || name.includes('norm')) continue;
    if (shape.length !== 2 && shape.length !== 4) continue;
    out.push({ name: name.slice(0, -'.weight'.length), shape });
  }
  return out;
}

/**
 * UNet modules that get LoRA (official `initialize_unet`): attention q/k/v/out, convs, proj_in/out, feed-forward;
 * not the time embedding, and not `conv_in` (trained fully instead).
 */
export function unetLoraTargets(shapes: ShapeMap): string[] {
  return modules(shapes)
    .map((m) => m.name)
    .filter((n) => n !== 'conv_in' && !n.includes('time_emb') && UNET_PATTERNS.test(n));
}

/** VAE encoder modules that get LoRA (official `initialize_vae_time`): encoder convs/attention and `quant_conv`. */
export function vaeEncoderLoraTargets(shapes: ShapeMap): string[] {
  return modules(shapes)
    .map((m) => m.name)
    .filter((n) => n === 'quant_conv' || TAESD_ENCODER_CONV.test(n) || (n.startsWith('encoder.') && !n.includes('time') && VAE_PATTERNS.test(n)));
}

/** A trainable variable from `init`, releasing `init` (the variable keeps its own reference to the data). */
export function ownedVariable(init: tf.Tensor, name: string, trainable = true): tf.Variable {
  const v = tf.variable(init, trainable, name);
  init.dispose();
  return v;
}

/** Create the adapters for `targets` (module names present in `shapes`). */
export function createLora(prefix: string, shapes: ShapeMap, targets: readonly string[], opts: LoraOptions, rng: Rng): LoraSet {
  const pairs = new Map<string, { a: tf.Variable; b: tf.Variable }>();
  const variables = new Map<string, tf.Variable>();
  for (const m of targets) {
    const shape = shapes.get(`${m}.weight`);
    if (!shape) throw new Error(`LoRA target ${m} has no weight`);
    const [out, inp] = shape as [number, number];
    const aShape = shape.length === 4 ? [opts.rank, inp, shape[2]!, shape[3]!] : [opts.rank, inp];
    const bShape = shape.length === 4 ? [out, opts.rank, 1, 1] : [out, opts.rank];
    const aData = new Float32Array(aShape.reduce((x, y) => x * y, 1));
    rng.fillNormal(aData, 1 / opts.rank);
    const a = ownedVariable(tf.tensor(aData, aShape), `${prefix}.${m}.lora_A`);
    const b = ownedVariable(tf.zeros(bShape), `${prefix}.${m}.lora_B`);
    pairs.set(m, { a, b });
    variables.set(`${m}.lora_A.weight`, a);
    variables.set(`${m}.lora_B.weight`, b);
  }
  const scale = opts.alpha / opts.rank;
  return { pairs, scale, variables, lookup: (name) => { const p = pairs.get(name); return p ? { a: p.a, b: p.b, scale } : undefined; } };
}

/** W + scale·B·A for every adapted module; other weights are shared unchanged. */
export function mergeLora(weights: WeightMap, lora: LoraSet): WeightMap {
  const out: WeightMap = new Map(weights);
  for (const [m, { a, b }] of lora.pairs) {
    const w = weights.get(`${m}.weight`);
    if (!w) throw new Error(`cannot merge LoRA into missing ${m}.weight`);
    const merged = tf.tidy(() => {
      const r = a.shape[0]!;
      const out0 = b.shape[0]!;
      const a2 = tf.reshape(a, [r, -1]);
      const b2 = tf.reshape(b, [out0, r]);
      const delta = tf.mul(tf.matMul(b2, a2), lora.scale);
      return tf.add(tf.tensor(w.data, [...w.shape]), tf.reshape(delta, [...w.shape])).dataSync() as Float32Array;
    });
    out.set(`${m}.weight`, { shape: w.shape, data: Float32Array.from(merged) } satisfies HostTensor);
  }
  return out;
}
