/**
 * The TF.js backend: the `Backend` contract (run a named sub-network on host tensors) plus what training needs —
 * the model's parameters as named TF.js variables and a differentiable `forward` on TF.js tensors.
 *
 * Runtime: the fastest present (tfjs-node-gpu > tfjs-node > wasm > cpu, `pickTfjsRuntime`); on wasm and cpu the
 * heavy ops run as ONNX Runtime kernels (`heavy: 'ort'`, measured fastest: bench/tfjs-train.ts).
 *
 * Training (see ./train/adamw.ts and README section "Training on TF.js"):
 * ```ts
 * const backend = await createTfjsBackend(spec, weights);
 * const opt = new AdamW(backend.selectParams('unet', (n) => n.startsWith('conv_in')), { lr: 5e-5 });
 * const { loss } = opt.minimize(() => {
 *   const { eps } = backend.forward('unet', { sample, timestep, encoderHiddenStates });
 *   return tf.mean(tf.square(tf.sub(eps, target)));
 * });
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Backend, HostTensor, SubNetwork } from '../backend.js';
import type { LoraLookup } from '../../models/layers.js';
import type { NetOps } from '../../models/net-ops.js';
import type { ModelWeights, WeightMap } from '../../models/params.js';
import type { ModelSpec } from '../../models/specs.js';
import { textEncoderForward } from '../../models/clip-text.js';
import { unetForward } from '../../models/unet.js';
import { vaeDecode, vaeEncode } from '../../models/vae.js';
import { applyTsAdapter, tsAdapterLookup, tsAdapterModules, tsGate, uniformGate } from '../../models/ts-adapter.js';
import { ortKernelSettings } from './ort/ort-op-cache.js';
import { pickTfjsRuntime, type TfjsRuntime, type TfjsRuntimeName } from './runtime.js';
import { createTfjsNetOps } from './tfjs-net-ops.js';

export interface TfjsBackendOptions {
  /** Force a runtime (default: the fastest present; env `TADSR_TFJS_RUNTIME` also works). */
  readonly runtime?: TfjsRuntimeName;
  /** Heavy ops on ONNX Runtime kernels (default on wasm/cpu) or on TF.js built-ins (default on tfjs-node). */
  readonly heavy?: 'ort' | 'tfjs';
  /** Threads of the ORT kernels (default: all cores). */
  readonly ortThreads?: number;
  /** Weights of a frozen teacher UNet for `teacherUnet` (default: the student's UNet weights, frozen copy). */
  readonly teacherUnet?: WeightMap;
}

/** Parameter groups: `unet`, `vae` (incl. TAE time layers), and the frozen `teacherUnet`. */
export type ParamGroup = 'unet' | 'vae' | 'teacherUnet';

/** The TF.js backend: the contract plus training hooks. */
export interface TfjsBackend extends Backend {
  /** What was picked, and why. */
  readonly runtimeInfo: TfjsRuntime;
  /** The op set (for networks beyond the built-in sub-networks, e.g. LPIPS). */
  readonly ops: NetOps<tf.Tensor>;
  /**
   * Every parameter as a TF.js variable, by group and diffusers name (teacher: `trainable = false`, created on
   * first access). Memory: the wasm runtime's heap is 32-bit (4 GiB) — sd21-base (≈3.8 GB of fp32 weights, more
   * with a teacher copy) needs the `cpu` runtime (or tfjs-node).
   */
  readonly params: Readonly<Record<ParamGroup, ReadonlyMap<string, tf.Variable>>>;
  /** The variables of `group` whose names pass `filter` (for a trainer). */
  selectParams(group: ParamGroup, filter?: (name: string) => boolean): Map<string, tf.Variable>;
  /**
   * Differentiable forward of a sub-network on TF.js tensors (caller owns and disposes the outputs; wrap in
   * `tf.tidy` or a trainer's loss function). Same input / output names as `run`.
   */
  forward(
    net: SubNetwork,
    inputs: Readonly<Record<string, tf.Tensor>>,
    opts?: { readonly lora?: LoraLookup<tf.Tensor> },
  ): Record<string, tf.Tensor>;
}

/**
 * Host weights → named TF.js variables (e.g. LoRA adapters: `toVariables(initWeights(loraParamShapes(m), 0),
 * 'lora', true)`, then `loraLookup(m, (n) => vars.get(n)!)` in `forward(…, { lora })`). Dispose them when done.
 */
export function toVariables(w: WeightMap, group: string, trainable: boolean): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  const tag = Math.random().toString(36).slice(2, 8);
  for (const [name, t] of w) {
    // the variable takes its own reference to the data: drop the initial tensor's, or it keeps the weights alive
    // after the variable is disposed (one leaked copy of the model per backend; test/operators/graph-teardown.test.ts)
    const init = tf.tensor(t.data, [...t.shape]);
    out.set(name, tf.variable(init, trainable, `${group}.${tag}/${name}`));
    init.dispose();
  }
  return out;
}

function lookupIn(map: ReadonlyMap<string, tf.Tensor>, what: string): (name: string) => tf.Tensor {
  return (name) => {
    const t = map.get(name);
    if (t === undefined) throw new Error(`${what}: missing weight "${name}"`);
    return t;
  };
}

/**
 * Create the TF.js backend for `spec` with `weights`.
 *
 * @example
 * const backend = await createTfjsBackend(presets.tiny, initParams(presets.tiny, 0));
 * console.log(backend.info.runtime);   // "tfjs wasm: SIMD, 1 thread … + ORT kernels (2 threads)"
 * const { eps } = await backend.run('unet', { sample, timestep, encoderHiddenStates });
 * await backend.dispose();
 */
export async function createTfjsBackend(spec: ModelSpec, weights: ModelWeights, opts: TfjsBackendOptions = {}): Promise<TfjsBackend> {
  const runtimeInfo = await pickTfjsRuntime({ runtime: opts.runtime });
  const heavy = opts.heavy ?? (runtimeInfo.backend === 'wasm' || runtimeInfo.backend === 'cpu' ? 'ort' : 'tfjs');
  if (opts.ortThreads !== undefined) ortKernelSettings.threads = opts.ortThreads;
  const ops = createTfjsNetOps({ heavy });
  const unet = toVariables(weights.unet, 'unet', true);
  const vae = toVariables(weights.vae, 'vae', true);
  // The frozen teacher is a second copy of a UNet: made on first use only.
  let teacher: Map<string, tf.Variable> | undefined;
  const params = {
    unet,
    vae,
    get teacherUnet(): Map<string, tf.Variable> {
      teacher ??= toVariables(opts.teacherUnet ?? weights.unet, 'teacher', false);
      return teacher;
    },
  } satisfies Record<ParamGroup, Map<string, tf.Variable>>;
  // The frozen text encoder (models with `spec.text`): made on first use only.
  let text: Map<string, tf.Variable> | undefined;
  const textParams = (): Map<string, tf.Variable> => {
    if (weights.text === undefined) throw new Error('this model has no text encoder weights');
    text ??= toVariables(weights.text, 'text', false);
    return text;
  };
  // The t_s adapter (`ts-adapter.ts`): its tensors as constants, gated per sample by each forward's `timestep`.
  const adapter = weights.tsAdapter === undefined ? undefined : {
    gate: weights.tsAdapter.gate,
    unet: toVariables(weights.tsAdapter.unet, 'tsAdapter.unet', false),
    vae: toVariables(weights.tsAdapter.vae, 'tsAdapter.vae', false),
    modules: { unet: tsAdapterModules(weights.tsAdapter.unet.keys()), vae: tsAdapterModules(weights.tsAdapter.vae.keys()) },
  };
  /**
   * How `network` runs with the adapter for this `timestep`: `fopts.lora` when given (it replaces the adapter); for a
   * batch at one gate value g, the weights merged at g (made once per g; the base at g = 0) and no branches; for a
   * batch of mixed g, the base weights with the adapter's branches gated per sample.
   */
  const mergedAt = new Map<string, Map<string, tf.Tensor>>();
  const adapted = (network: 'unet' | 'vae', timestep: tf.Tensor, fopts: { readonly lora?: LoraLookup<tf.Tensor> }) => {
    const base = params[network];
    if (fopts.lora !== undefined || adapter === undefined || adapter[network].size === 0) return { p: base, lora: fopts.lora };
    const g = uniformGate(adapter.gate, timestep.dataSync());
    if (g !== undefined) {
      if (g === 0) return { p: base, lora: undefined };
      let m = mergedAt.get(`${network}@${g}`);
      if (m === undefined) {
        const host = weights[network];
        m = new Map<string, tf.Tensor>(base);
        for (const [k, t] of applyTsAdapter(host, weights.tsAdapter![network], g)) if (t !== host.get(k)) m.set(k, tf.keep(tf.tensor(t.data, [...t.shape])));
        mergedAt.set(`${network}@${g}`, m);
      }
      return { p: m, lora: undefined };
    }
    const w = adapter[network];
    return { p: base, lora: tsAdapterLookup(adapter.modules[network], lookupIn(w, `tsAdapter.${network}`), tsGate(ops, adapter.gate, timestep), (n) => w.has(n)) };
  };
  const runtime = `tfjs ${runtimeInfo.detail}${heavy === 'ort' ? ` + ORT kernels (${ortKernelSettings.threads} threads)` : ''}`;

  function forward(
    net: SubNetwork,
    inputs: Readonly<Record<string, tf.Tensor>>,
    fopts: { readonly lora?: LoraLookup<tf.Tensor> } = {},
  ): Record<string, tf.Tensor> {
    const need = (name: string): tf.Tensor => {
      const t = inputs[name];
      if (t === undefined) throw new Error(`${net}: input "${name}" missing (got ${Object.keys(inputs).join(', ') || 'none'})`);
      return t;
    };
    return tf.tidy((): Record<string, tf.Tensor> => {
      switch (net) {
        case 'unet':
        case 'teacherUnet': {
          const ctx = spec.unet.crossAttentionDim === null ? undefined : need('encoderHiddenStates');
          const timestep = need('timestep');
          const { p, lora } = net === 'unet' ? adapted('unet', timestep, fopts) : { p: params[net], lora: fopts.lora };
          const eps = unetForward(ops, spec.unet, lookupIn(p, net), { sample: need('sample'), timestep, encoderHiddenStates: ctx }, lora === undefined ? {} : { lora });
          return { eps };
        }
        case 'vaeEncoder':
          return { moments: vaeEncode(ops, spec.vae, lookupIn(params.vae, 'vae'), need('sample'), { lora: fopts.lora }) };
        case 'timeAwareEncoder': {
          if (spec.tae === undefined) throw new Error('this model has no time-aware encoder');
          const timestep = need('timestep');
          const { p, lora } = adapted('vae', timestep, fopts);
          const moments = vaeEncode(ops, spec.vae, lookupIn(p, 'vae'), need('sample'), { tae: spec.tae, timestep, lora });
          return { moments };
        }
        case 'vaeDecoder':
          return { image: vaeDecode(ops, spec.vae, lookupIn(params.vae, 'vae'), need('latent'), { lora: fopts.lora }) };
        case 'textEncoder': {
          if (spec.text === undefined) throw new Error('this model has no text encoder');
          return { lastHiddenState: textEncoderForward(ops, spec.text, lookupIn(textParams(), 'text'), need('inputIds')) };
        }
        default:
          throw new Error(`unknown sub-network ${String(net)}`);
      }
    });
  }

  return {
    info: { name: 'tfjs', runtime },
    runtimeInfo,
    ops,
    params,
    selectParams: (group, filter = () => true) => new Map([...params[group]].filter(([n]) => filter(n))),
    forward,
    run: async (net, inputs) => {
      const outs = tf.tidy(() => {
        const ins = Object.fromEntries(Object.entries(inputs).map(([k, h]) => [k, tf.tensor(h.data, [...h.shape])]));
        return forward(net, ins);
      });
      const host: Record<string, HostTensor> = {};
      for (const [k, t] of Object.entries(outs)) {
        host[k] = { shape: [...t.shape], data: Float32Array.from(t.dataSync() as Float32Array) };
        t.dispose();
      }
      return host;
    },
    dispose: async () => {
      for (const group of [unet, vae, teacher ?? new Map<string, tf.Variable>(), text ?? new Map<string, tf.Variable>(), adapter?.unet ?? new Map<string, tf.Variable>(), adapter?.vae ?? new Map<string, tf.Variable>()]) {
        for (const v of group.values()) v.dispose();
      }
      for (const [key, m] of mergedAt) {
        const base: ReadonlyMap<string, tf.Tensor> = key.startsWith('unet@') ? unet : vae;
        for (const [k, t] of m) if (t !== base.get(k)) t.dispose();
      }
      mergedAt.clear();
    },
  };
}
