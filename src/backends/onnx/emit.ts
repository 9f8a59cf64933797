/**
 * Emit one ONNX graph per sub-network from a spec and its weights — the same network functions the TF.js
 * backend runs (`unetForward`, `vaeEncode`, `vaeDecode`), traced through `OnnxNetOps`.
 *
 * Inputs/outputs (NCHW float32; `batch`, `height`, `width` symbolic):
 * - `vaeEncoder`: `sample` [B,3,H,W] → `moments` [B,2L,H/8,W/8]
 * - `timeAwareEncoder`: `sample`, `timestep` [B] → `moments`
 * - `unet` / `teacherUnet`: `sample` [B,L,h,w], `timestep` [B], `encoderHiddenStates` [B,T,D] (if the UNet
 *   cross-attends) → `eps`
 * - `vaeDecoder`: `latent` [B,L,h,w] (already divided by the scaling factor) → `image` [B,3,8h,8w]
 * - `textEncoder`: `inputIds` [B,T] (token ids as floats) → `lastHiddenState` [B,T,D] (CLIPTextModel)
 * - `student` (the whole one-step model, one graph): `sample` [B,3,H,W] (LQ upsampled, [−1,1]), `timestep` [B],
 *   `zCoef`/`epsCoef` [B] (ẑ = zCoef·z + epsCoef·ε, see `oneStepCoefficients`), [`encoderHiddenStates`] → `image`
 */
import type { HostTensor, SubNetwork } from '../backend.js';
import type { ModelSpec } from '../../models/specs.js';
import { textEncoderForward } from '../../models/clip-text.js';
import { unetForward } from '../../models/unet.js';
import { posteriorMean, vaeDecode, vaeEncode } from '../../models/vae.js';
import { OnnxGraphBuilder } from './graph-builder.js';
import { OnnxNetOps } from './onnx-net-ops.js';
import type { LoraLookup } from '../../models/layers.js';
import { type TsAdapterWeights, tsAdapterLookup, tsAdapterModules, tsGate } from '../../models/ts-adapter.js';

/** What `emitSubNetwork` can build: every `SubNetwork` plus the fused `student`. */
export type OnnxGraphName = SubNetwork | 'student';

export interface EmitOptions {
  /** Stream weights to this external-data file (needed above 2 GB). */
  readonly externalDataPath?: string;
  /** Filled with every parameter name the graph reads (for coverage checks). */
  readonly usedParams?: Set<string>;
  /** The ops to trace the network with (default `new OnnxNetOps(g)`; `shared-norm.ts` cuts at GroupNorms). */
  readonly netOps?: (g: OnnxGraphBuilder) => OnnxNetOps;
}

/** Where weights come from: a `WeightMap`, or anything with `get` (e.g. tensors made or read on demand). */
export interface WeightSource {
  get(name: string): HostTensor | undefined;
}

/** Weights by network; `teacherUnet` falls back to `unet`. */
export interface EmitWeights {
  readonly unet?: WeightSource;
  readonly vae?: WeightSource;
  readonly teacherUnet?: WeightSource;
  /** The text encoder (transformers `CLIPTextModel` names), for models with `spec.text`. */
  readonly text?: WeightSource;
  /** The student's t_s adapter, gated by the `timestep` input in `timeAwareEncoder`, `unet` and `student`. */
  readonly tsAdapter?: TsAdapterWeights;
}

/** The `lora` option that applies `weights.tsAdapter`'s `network` part at g(timestep), or {} without one. */
function adapterOption(g: OnnxGraphBuilder, ops: OnnxNetOps, weights: EmitWeights, network: 'unet' | 'vae', gate: () => string, used?: Set<string>): { lora?: LoraLookup<string> } {
  const a = weights.tsAdapter;
  if (a === undefined || a[network].size === 0) return {};
  const w = a[network];
  return { lora: tsAdapterLookup(tsAdapterModules(w.keys()), lookup(g, w, `tsAdapter.${network}`, used, `tsAdapter.${network}.`), gate(), (n) => w.has(n)) };
}

/** The ONNX bytes of `net`, its input names and its output names. */
export interface EmittedGraph {
  readonly bytes: Uint8Array;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly nodeCount: number;
  readonly initializerBytes: number;
}

function lookup(g: OnnxGraphBuilder, w: WeightSource | undefined, what: string, used?: Set<string>, prefix = '') {
  return (name: string): string => {
    const t = w?.get(name);
    if (t === undefined) throw new Error(`${what}: missing weight "${name}"`);
    used?.add(name);
    return g.weight(prefix + name, t);
  };
}

/**
 * Build the ONNX graph of one sub-network.
 *
 * @example
 * const { bytes } = emitSubNetwork(presets.tiny, 'unet', initParams(presets.tiny, 0));
 */
export function emitSubNetwork(spec: ModelSpec, net: OnnxGraphName, weights: EmitWeights, opts: EmitOptions = {}): EmittedGraph {
  const g = new OnnxGraphBuilder({ name: `tadsr_${net}`, externalDataPath: opts.externalDataPath });
  const ops = opts.netOps?.(g) ?? new OnnxNetOps(g);
  const L = spec.vae.latentChannels;
  const u = spec.unet;
  const inputs: string[] = [];
  const input = (name: string, dims: (number | string)[]) => {
    inputs.push(name);
    return g.input(name, dims);
  };
  const ctxInput = () =>
    u.crossAttentionDim === null ? undefined : input('encoderHiddenStates', ['batch', 'tokens', u.crossAttentionDim]);
  let gateValue: string | undefined;
  /** g(t_s) of the adapter, built once per graph from the `timestep` input. */
  const gateOf = (timestep: string) => () => (gateValue ??= tsGate(ops, weights.tsAdapter!.gate, timestep));
  let outName: string;
  switch (net) {
    case 'vaeEncoder':
    case 'timeAwareEncoder': {
      const x = input('sample', ['batch', spec.vae.inChannels, 'height', 'width']);
      const tae = net === 'timeAwareEncoder' ? spec.tae : undefined;
      if (net === 'timeAwareEncoder' && tae === undefined) throw new Error('this model has no time-aware encoder');
      const timestep = tae === undefined ? undefined : input('timestep', ['batch']);
      const p = lookup(g, weights.vae, 'vae', opts.usedParams);
      const adapter = timestep === undefined ? {} : adapterOption(g, ops, weights, 'vae', gateOf(timestep), opts.usedParams);
      g.output(vaeEncode(ops, spec.vae, p, x, { tae, timestep, ...adapter }), (outName = 'moments'), ['batch', 2 * L, 'h', 'w']);
      break;
    }
    case 'unet':
    case 'teacherUnet': {
      const sample = input('sample', ['batch', u.inChannels, 'height', 'width']);
      const timestep = input('timestep', ['batch']);
      const encoderHiddenStates = ctxInput();
      const w = net === 'teacherUnet' ? (weights.teacherUnet ?? weights.unet) : weights.unet;
      const p = lookup(g, w, net, opts.usedParams);
      const adapter = net === 'unet' ? adapterOption(g, ops, weights, 'unet', gateOf(timestep), opts.usedParams) : {};
      g.output(unetForward(ops, u, p, { sample, timestep, encoderHiddenStates }, adapter), (outName = 'eps'), ['batch', u.outChannels, 'height', 'width']);
      break;
    }
    case 'vaeDecoder': {
      const z = input('latent', ['batch', L, 'height', 'width']);
      const p = lookup(g, weights.vae, 'vae', opts.usedParams);
      g.output(vaeDecode(ops, spec.vae, p, z), (outName = 'image'), ['batch', spec.vae.outChannels, 'H', 'W']);
      break;
    }
    case 'student': {
      const x = input('sample', ['batch', spec.vae.inChannels, 'height', 'width']);
      const timestep = input('timestep', ['batch']);
      const zCoef = input('zCoef', ['batch']);
      const epsCoef = input('epsCoef', ['batch']);
      const encoderHiddenStates = ctxInput();
      const pv = lookup(g, weights.vae, 'vae', opts.usedParams);
      const vaeAdapter = spec.tae ? adapterOption(g, ops, weights, 'vae', gateOf(timestep), opts.usedParams) : {};
      const moments = vaeEncode(ops, spec.vae, pv, x, { tae: spec.tae, timestep: spec.tae ? timestep : undefined, ...vaeAdapter });
      const sf = spec.vae.scalingFactor;
      const z = ops.scale(posteriorMean(ops, moments), sf);
      const pu = lookup(g, weights.unet, 'unet', opts.usedParams, 'unet.');
      const eps = unetForward(ops, u, pu, { sample: z, timestep, encoderHiddenStates }, adapterOption(g, ops, weights, 'unet', gateOf(timestep), opts.usedParams));
      const perSample = (c: string) => g.op('Unsqueeze', [c, g.constInt64([1, 2, 3])]);
      const zHat = ops.add(ops.mul(z, perSample(zCoef)), ops.mul(eps, perSample(epsCoef)));
      g.output(vaeDecode(ops, spec.vae, pv, ops.scale(zHat, 1 / sf)), (outName = 'image'), ['batch', spec.vae.outChannels, 'height', 'width']);
      break;
    }
    case 'textEncoder': {
      const t = spec.text;
      if (t === undefined) throw new Error('this model has no text encoder');
      const ids = input('inputIds', ['batch', 'tokens']);
      const p = lookup(g, weights.text, 'text', opts.usedParams);
      g.output(textEncoderForward(ops, t, p, ids), (outName = 'lastHiddenState'), ['batch', 'tokens', t.hiddenSize]);
      break;
    }
    default:
      throw new Error(`unknown sub-network ${String(net)}`);
  }
  return {
    bytes: g.build({ 'tadsr.subnetwork': net }),
    inputNames: inputs,
    outputNames: [outName],
    nodeCount: g.nodeCount,
    initializerBytes: g.initializerBytes,
  };
}
