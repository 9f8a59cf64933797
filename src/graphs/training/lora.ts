/**
 * LoRA adapters as TF.js variables for training. Which modules, the adapter shapes and names, the forward-time
 * lookup and the merge for export are src/models/lora.ts (the project's one LoRA); this file only owns the
 * variables, initialised as PEFT does: `A` Gaussian with std 1/r, `B` zero (output scale α/r).
 *
 * ```ts
 * const modules = loraModules(officialLoraSpec(4, 8), 'unet', unetParamShapes(spec.unet));
 * const lora = createLora('student.unet', modules, rng);
 * unetForward(ops, spec.unet, p, inputs, { lora: lora.lookup });
 * const merged = mergeLora(weights, loraWeights(lora), lora.modules);   // for model.json + safetensors
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LoraLookup } from '../../models/layers.js';
import { type LoraModule, loraLookup, loraParamShapes } from '../../models/lora.js';
import type { WeightMap } from '../../models/params.js';
import type { Rng } from '../../random/rng.js';

export interface LoraSet {
  /** The wrapped modules (with their adapter's rank and alpha). */
  readonly modules: readonly LoraModule[];
  readonly lookup: LoraLookup<tf.Tensor>;
  /** All variables by their PEFT name (`<module>.lora_A.weight`, `<module>.lora_B.weight`): the checkpoint keys. */
  readonly variables: ReadonlyMap<string, tf.Variable>;
}

/** A trainable variable from `init`, releasing `init` (the variable keeps its own reference to the data). */
export function ownedVariable(init: tf.Tensor, name: string, trainable = true): tf.Variable {
  const v = tf.variable(init, trainable, name);
  init.dispose();
  return v;
}

/** Create the adapters of `modules` (A drawn from `rng` in module order, B zero); `prefix` names the variables. */
export function createLora(prefix: string, modules: readonly LoraModule[], rng: Rng): LoraSet {
  const variables = new Map<string, tf.Variable>();
  for (const m of modules) {
    const shapes = loraParamShapes([m]);
    const aShape = shapes.get(`${m.module}.lora_A.weight`)!;
    const bShape = shapes.get(`${m.module}.lora_B.weight`)!;
    const aData = new Float32Array(aShape.reduce((x, y) => x * y, 1));
    rng.fillNormal(aData, 1 / m.adapter.rank);
    variables.set(`${m.module}.lora_A.weight`, ownedVariable(tf.tensor(aData, aShape), `${prefix}.${m.module}.lora_A`));
    variables.set(`${m.module}.lora_B.weight`, ownedVariable(tf.zeros(bShape), `${prefix}.${m.module}.lora_B`));
  }
  return { modules, variables, lookup: loraLookup(modules, (n) => variables.get(n)!) };
}

/** Host copy of the adapters' current values, by PEFT name (what `mergeLora` takes). */
export function loraWeights(lora: LoraSet): WeightMap {
  const out: WeightMap = new Map();
  for (const [k, v] of lora.variables) out.set(k, { shape: v.shape, data: Float32Array.from(v.dataSync() as Float32Array) });
  return out;
}
