/**
 * Parameter names and shapes of each network (diffusers names: the public contract of a checkpoint), the
 * parameter count, and a deterministic PyTorch-like initialisation.
 */
import type { HostTensor } from '../host-tensor.js';
import type { ShapeMap, WeightMap } from './param-maps.js';
import type { TsAdapterWeights } from './ts-adapter-weights.js';
import type { ModelSpec, TimeAwareSpec, UNetSpec, VaeSpec } from './specs.js';
import { taesdParamShapes } from './taesd.js';

export type { ShapeMap, WeightMap } from './param-maps.js';

function addLinear(m: ShapeMap, name: string, out: number, inp: number, bias = true): void {
  m.set(`${name}.weight`, [out, inp]);
  if (bias) m.set(`${name}.bias`, [out]);
}
function addConv(m: ShapeMap, name: string, out: number, inp: number, k: number): void {
  m.set(`${name}.weight`, [out, inp, k, k]);
  m.set(`${name}.bias`, [out]);
}
function addNorm(m: ShapeMap, name: string, c: number): void {
  m.set(`${name}.weight`, [c]);
  m.set(`${name}.bias`, [c]);
}

/** `temb`: embedding width and whether it is scale-shift (2C) or additive (C); null: no time input. */
function addResnet(m: ShapeMap, p: string, inC: number, outC: number, temb: { dim: number; scaleShift: boolean } | null): void {
  addNorm(m, `${p}.norm1`, inC);
  addConv(m, `${p}.conv1`, outC, inC, 3);
  if (temb !== null) addLinear(m, `${p}.time_emb_proj`, temb.scaleShift ? 2 * outC : outC, temb.dim);
  addNorm(m, `${p}.norm2`, outC);
  addConv(m, `${p}.conv2`, outC, outC, 3);
  if (inC !== outC) addConv(m, `${p}.conv_shortcut`, outC, inC, 1);
}

function addTransformer(m: ShapeMap, p: string, c: number, cross: number | null, linearProj: boolean): void {
  addNorm(m, `${p}.norm`, c);
  if (linearProj) addLinear(m, `${p}.proj_in`, c, c);
  else addConv(m, `${p}.proj_in`, c, c, 1);
  const b = `${p}.transformer_blocks.0`;
  const attn = (a: string, kv: number) => {
    addLinear(m, `${a}.to_q`, c, c, false);
    addLinear(m, `${a}.to_k`, c, kv, false);
    addLinear(m, `${a}.to_v`, c, kv, false);
    addLinear(m, `${a}.to_out.0`, c, c);
  };
  addNorm(m, `${b}.norm1`, c);
  attn(`${b}.attn1`, c);
  if (cross !== null) {
    addNorm(m, `${b}.norm2`, c);
    attn(`${b}.attn2`, cross);
  }
  addNorm(m, `${b}.norm3`, c);
  addLinear(m, `${b}.ff.net.0.proj`, 8 * c, c);
  addLinear(m, `${b}.ff.net.2`, c, 4 * c);
  if (linearProj) addLinear(m, `${p}.proj_out`, c, c);
  else addConv(m, `${p}.proj_out`, c, c, 1);
}

/** The UNet's parameters, named as in diffusers' `unet/diffusion_pytorch_model.safetensors`. */
export function unetParamShapes(spec: UNetSpec): ShapeMap {
  const m: ShapeMap = new Map();
  const w = spec.blockOutChannels;
  const L = w.length;
  const temb = { dim: 4 * w[0]!, scaleShift: false };
  const lp = spec.useLinearProjection;
  const cross = spec.crossAttentionDim;
  addConv(m, 'conv_in', w[0]!, spec.inChannels, 3);
  addLinear(m, 'time_embedding.linear_1', 4 * w[0]!, w[0]!);
  addLinear(m, 'time_embedding.linear_2', 4 * w[0]!, 4 * w[0]!);
  const skipC: number[] = [w[0]!];
  let c = w[0]!;
  for (let i = 0; i < L; i++) {
    const out = w[i]!;
    for (let j = 0; j < spec.layersPerBlock; j++) {
      if (spec.downBlockTypes[i] === 'CrossAttnDownBlock2D') addTransformer(m, `down_blocks.${i}.attentions.${j}`, out, cross, lp);
      addResnet(m, `down_blocks.${i}.resnets.${j}`, c, out, temb);
      c = out;
      skipC.push(c);
    }
    if (i < L - 1) {
      addConv(m, `down_blocks.${i}.downsamplers.0.conv`, c, c, 3);
      skipC.push(c);
    }
  }
  addTransformer(m, 'mid_block.attentions.0', c, cross, lp);
  addResnet(m, 'mid_block.resnets.0', c, c, temb);
  addResnet(m, 'mid_block.resnets.1', c, c, temb);
  for (let i = 0; i < L; i++) {
    const out = w[L - 1 - i]!;
    for (let j = 0; j <= spec.layersPerBlock; j++) {
      if (spec.upBlockTypes[i] === 'CrossAttnUpBlock2D') addTransformer(m, `up_blocks.${i}.attentions.${j}`, out, cross, lp);
      const s = skipC.pop()!;
      addResnet(m, `up_blocks.${i}.resnets.${j}`, c + s, out, temb);
      c = out;
    }
    if (i < L - 1) addConv(m, `up_blocks.${i}.upsamplers.0.conv`, c, c, 3);
  }
  addNorm(m, 'conv_norm_out', w[0]!);
  addConv(m, 'conv_out', spec.outChannels, w[0]!, 3);
  return m;
}

function addVaeMid(m: ShapeMap, p: string, c: number, spec: VaeSpec, temb: { dim: number; scaleShift: boolean } | null): void {
  if (spec.midBlockAddAttention) {
    const a = `${p}.attentions.0`;
    addNorm(m, `${a}.group_norm`, c);
    for (const k of ['to_q', 'to_k', 'to_v', 'to_out.0']) addLinear(m, `${a}.${k}`, c, c);
  }
  addResnet(m, `${p}.resnets.0`, c, c, temb);
  addResnet(m, `${p}.resnets.1`, c, c, temb);
}

/**
 * The VAE's parameters, named as in diffusers' `vae/diffusion_pytorch_model.safetensors`; with `tae`, the
 * time-aware encoder's extra parameters (official TADSR names) are included.
 */
export function vaeParamShapes(spec: VaeSpec, tae?: TimeAwareSpec): ShapeMap {
  if (spec.arch === 'taesd') return taesdParamShapes(spec, tae);
  const m: ShapeMap = new Map();
  const w = spec.blockOutChannels;
  const L = w.length;
  const last = w[L - 1]!;
  const lat = spec.latentChannels;
  const temb = tae === undefined ? null : { dim: tae.embedDim, scaleShift: true };
  if (tae !== undefined) {
    addLinear(m, 'encoder.time_embedding.linear_1', tae.embedDim, tae.timeProjDim);
    addLinear(m, 'encoder.time_embedding.linear_2', tae.embedDim, tae.embedDim);
  }
  addConv(m, 'encoder.conv_in', w[0]!, spec.inChannels, 3);
  let c = w[0]!;
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < spec.layersPerBlock; j++) {
      addResnet(m, `encoder.down_blocks.${i}.resnets.${j}`, c, w[i]!, temb);
      c = w[i]!;
    }
    if (i < L - 1) addConv(m, `encoder.down_blocks.${i}.downsamplers.0.conv`, c, c, 3);
  }
  addVaeMid(m, 'encoder.mid_block', last, spec, temb);
  addNorm(m, 'encoder.conv_norm_out', last);
  addConv(m, 'encoder.conv_out', 2 * lat, last, 3);
  addConv(m, 'decoder.conv_in', last, lat, 3);
  for (let i = 0; i < L; i++) {
    const out = w[L - 1 - i]!;
    for (let j = 0; j <= spec.layersPerBlock; j++) {
      addResnet(m, `decoder.up_blocks.${i}.resnets.${j}`, c, out, null);
      c = out;
    }
    if (i < L - 1) addConv(m, `decoder.up_blocks.${i}.upsamplers.0.conv`, c, c, 3);
  }
  addVaeMid(m, 'decoder.mid_block', last, spec, null);
  addNorm(m, 'decoder.conv_norm_out', w[0]!);
  addConv(m, 'decoder.conv_out', spec.outChannels, w[0]!, 3);
  addConv(m, 'quant_conv', 2 * lat, 2 * lat, 1);
  addConv(m, 'post_quant_conv', lat, lat, 1);
  return m;
}

/** All parameters of a model, prefixed by network: `unet.conv_in.weight`, `vae.encoder.conv_in.weight`, … */
export function paramShapes(spec: ModelSpec): ShapeMap {
  const m: ShapeMap = new Map();
  for (const [k, s] of unetParamShapes(spec.unet)) m.set(`unet.${k}`, s);
  for (const [k, s] of vaeParamShapes(spec.vae, spec.tae)) m.set(`vae.${k}`, s);
  return m;
}

/** Number of scalars in `shapes`. @example countParams(unetParamShapes(presets['sd21-base'].unet)) // 865910724 */
export function countParams(shapes: ShapeMap): number {
  let n = 0;
  for (const s of shapes.values()) n += s.reduce((a, b) => a * b, 1);
  return n;
}

/** A fast seeded generator of uniforms in [0, 1) (xorshift128+ with 32-bit output; deterministic per seed). */
export function seededUniform(seed: number): () => number {
  let s0 = (seed ^ 0x9e3779b9) >>> 0 || 1;
  let s1 = Math.imul(seed + 0x6d2b79f5, 0x85ebca6b) >>> 0 || 2;
  let s2 = 0x243f6a88;
  let s3 = 0x85a308d3;
  const next = () => {
    // xoshiro128** core
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return r / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Whether a parameter is a norm affine (PyTorch init: weight 1, bias 0). */
function isNormParam(name: string): boolean {
  return /(^|\.)(norm\d?|norm|group_norm|conv_norm_out|pool\.1)\.(weight|bias)$/.test(name);
}

function fanInOf(shapes: ShapeMap, name: string): number {
  const module = name.replace(/\.(weight|bias)$/, '');
  const w = shapes.get(`${module}.weight`);
  const shape = shapes.get(name)!;
  return w !== undefined && w.length >= 2 ? w.slice(1).reduce((a, b) => a * b, 1) : shape[shape.length - 1]!;
}

function initTensor(shapes: ShapeMap, name: string, rand: () => number, zero: boolean): HostTensor {
  const shape = shapes.get(name)!;
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  if (zero) return { shape, data };
  if (isNormParam(name) && shape.length === 1) {
    if (name.endsWith('.weight')) data.fill(1);
    return { shape, data };
  }
  const bound = 1 / Math.sqrt(fanInOf(shapes, name));
  for (let i = 0; i < size; i++) data[i] = (2 * rand() - 1) * bound;
  return { shape, data };
}

/**
 * PyTorch-like initialisation of `shapes`: Linear/Conv weights and biases ~ U(−1/√fan_in, 1/√fan_in)
 * (`kaiming_uniform_(a=√5)`), norms weight 1 / bias 0; names matching `zeroInit` start at 0 (the TAE's
 * `time_emb_proj` when `zeroInitTimeProj`). Deterministic in `seed`.
 */
export function initWeights(shapes: ShapeMap, seed: number, zeroInit?: (name: string) => boolean): WeightMap {
  const rand = seededUniform(seed);
  const out: WeightMap = new Map();
  for (const name of shapes.keys()) out.set(name, initTensor(shapes, name, rand, zeroInit?.(name) === true));
  return out;
}

/**
 * The same initialisation made on demand, tensor by tensor (each name seeded from `seed` and its position), for
 * models too big to hold twice (SD-size random-weight benchmarks stream them straight into ONNX external data).
 */
export function lazyInitWeights(shapes: ShapeMap, seed: number, zeroInit?: (name: string) => boolean): { get(name: string): HostTensor | undefined } {
  const index = new Map([...shapes.keys()].map((k, i) => [k, i]));
  return {
    get: (name) => {
      const i = index.get(name);
      if (i === undefined) return undefined;
      return initTensor(shapes, name, seededUniform((seed * 1_000_003 + i) | 0), zeroInit?.(name) === true);
    },
  };
}

/** Weights of each network of a model. */
export interface ModelWeights {
  readonly unet: WeightMap;
  /** The VAE (and, with a TAE spec, its time layers under `encoder.time_embedding` / `…time_emb_proj`). */
  readonly vae: WeightMap;
  /** The text encoder (transformers `CLIPTextModel` names), for models with `spec.text`; run by the ONNX backend. */
  readonly text?: WeightMap;
  /** The t_s adapter (`ts-adapter.ts`): a delta of the student that the dial switches on; both backends apply it. */
  readonly tsAdapter?: TsAdapterWeights;
}

/**
 * Deterministic initial weights for a whole model (`unet`, `vae` incl. TAE time layers — zero at
 * `time_emb_proj` when `spec.tae.zeroInitTimeProj`, so the TAE starts equal to the plain encoder).
 *
 * @example const w = initParams(presets.tiny, 0); w.unet.get('conv_in.weight')!.shape // [32, 4, 3, 3]
 */
export function initParams(spec: ModelSpec, seed: number): ModelWeights {
  const zeroTime = spec.tae?.zeroInitTimeProj === true;
  return {
    unet: initWeights(unetParamShapes(spec.unet), seed),
    vae: initWeights(vaeParamShapes(spec.vae, spec.tae), seed + 1, (n) => zeroTime && n.includes('.time_emb_proj.')),
  };
}
