/**
 * The TAESD family's tiny autoencoder (madebyollin/taesd `Encoder` / `Decoder`, @5cccb12d), e.g. **TAEF2**
 * (distilled from the FLUX.2 VAE: 32 latent channels at 1/8, `use_midblock_gn`), written once over `NetOps<T>`,
 * and TADSR's time-aware variant of its encoder.
 *
 * ```
 * encoder  x ∈ [−1, 1] → x/2 + ½ ∈ [0, 1] → conv(3→W) → Block
 *          → [conv(stride 2, no bias) → Block ×3] × (L−1)            (the last level's Blocks: mid-block GN)
 *          → conv(W→latent)                                            → z  [B, latent, H/2^(L−1), W/2^(L−1)]
 * decoder  z → tanh(z/3)·3 → conv(latent→W) → ReLU
 *          → [Block ×3 → nearest ×2 → conv(no bias)] × (L−1)          (the first level's Blocks: mid-block GN)
 *          → Block → conv(W→3)                                          → x ∈ [0, 1] → 2x − 1
 * Block(x) = ReLU(conv₃(ReLU(conv₂(ReLU(conv₁(x'))))) + x'),  x' = x + pool(x) with mid-block GN, else x;
 * pool = conv1×1(W→4W, no bias) → GroupNorm(groups, 4W) → ReLU → conv1×1(4W→W, no bias)
 * ```
 *
 * Parameter names are taesd's `nn.Sequential` indices under `encoder.` / `decoder.` (`encoder.1.conv.0.weight`,
 * `decoder.3.pool.1.bias`, …), so the original `.pth` files convert by prefixing (`tools/convert_taesd.py`).
 *
 * The encoder is deterministic: to keep the VAE's moments contract (`mean ‖ logvar`, see `vae.ts`) it returns
 * `z ‖ −30` (a point mass at diffusers' log-variance floor), so `posteriorMean` is `z` and sampling adds ~3e−7.
 *
 * Time-aware encoder (TADSR's TAE on this architecture): t_s → sinusoid → `encoder.time_embedding.linear_1` → SiLU
 * → `linear_2` → SiLU, then in every encoder Block `encoder.<i>.time_emb_proj` (embedDim → 2W) gives
 * `scale, shift` applied after the Block's first conv: `h = conv₁(x')·(1 + scale) + shift` (then ReLU, as the
 * plain Block). With zero-initialised `time_emb_proj` it starts equal to the pretrained encoder.
 */
import { conv, groupNorm, linear, taeTimeEmbedding, type LoraLookup, type Net } from './layers.js';
import type { NetOps, ParamLookup } from './net-ops.js';
import type { ShapeMap } from './param-maps.js';
import type { TimeAwareSpec, VaeSpec } from './specs.js';

/** PyTorch GroupNorm's default eps (taesd's mid-block GroupNorm). */
const GN_EPS = 1e-5;
/** diffusers' log-variance floor: the deterministic encoder's moments are `z ‖ −30`. */
export const TAESD_LOGVAR = -30;

/** One entry of taesd's `nn.Sequential`: a Block (optionally with the GN pool), a conv, or a layer with no weights. */
type Layer =
  | { readonly kind: 'block'; readonly gn: boolean }
  | { readonly kind: 'conv'; readonly cin: number; readonly cout: number; readonly stride: number; readonly bias: boolean }
  | { readonly kind: 'relu' | 'clamp' | 'up' };

/** taesd `Encoder(latent, use_midblock_gn)` as a list, index = parameter-name index. */
export function taesdEncoderLayers(spec: VaeSpec): Layer[] {
  const W = spec.blockOutChannels[0]!;
  const levels = spec.blockOutChannels.length;
  const gn = spec.midBlockGn === true;
  const out: Layer[] = [{ kind: 'conv', cin: spec.inChannels, cout: W, stride: 1, bias: true }, { kind: 'block', gn: false }];
  for (let l = 1; l < levels; l++) {
    out.push({ kind: 'conv', cin: W, cout: W, stride: 2, bias: false });
    for (let b = 0; b < 3; b++) out.push({ kind: 'block', gn: gn && l === levels - 1 });
  }
  out.push({ kind: 'conv', cin: W, cout: spec.latentChannels, stride: 1, bias: true });
  return out;
}

/** taesd `Decoder(latent, use_midblock_gn)` as a list, index = parameter-name index. */
export function taesdDecoderLayers(spec: VaeSpec): Layer[] {
  const W = spec.blockOutChannels[0]!;
  const levels = spec.blockOutChannels.length;
  const gn = spec.midBlockGn === true;
  const out: Layer[] = [{ kind: 'clamp' }, { kind: 'conv', cin: spec.latentChannels, cout: W, stride: 1, bias: true }, { kind: 'relu' }];
  for (let l = 0; l < levels - 1; l++) {
    for (let b = 0; b < 3; b++) out.push({ kind: 'block', gn: gn && l === 0 });
    out.push({ kind: 'up' }, { kind: 'conv', cin: W, cout: W, stride: 1, bias: false });
  }
  out.push({ kind: 'block', gn: false }, { kind: 'conv', cin: W, cout: spec.outChannels, stride: 1, bias: true });
  return out;
}

function block<T>(n: Net<T>, prefix: string, x: T, gn: boolean, groups: number, time: { scale: T; shift: T } | null): T {
  const { ops } = n;
  if (gn) {
    let g = conv(n, `${prefix}.pool.0`, x, {}, false);
    g = ops.relu(groupNorm(n, `${prefix}.pool.1`, g, groups, GN_EPS));
    x = ops.add(x, conv(n, `${prefix}.pool.3`, g, {}, false));
  }
  let h = conv(n, `${prefix}.conv.0`, x, { padding: 1 });
  if (time !== null) h = ops.add(ops.add(h, ops.mul(h, time.scale)), time.shift);
  h = conv(n, `${prefix}.conv.2`, ops.relu(h), { padding: 1 });
  h = conv(n, `${prefix}.conv.4`, ops.relu(h), { padding: 1 });
  return ops.relu(ops.add(h, x));
}

export interface TaesdEncodeOptions<T> {
  /** t_s `[B]` (float); required with `tae`. */
  readonly timestep?: T;
  readonly tae?: TimeAwareSpec;
  readonly lora?: LoraLookup<T>;
}

/** Moments `z ‖ −30` `[B, 2·latent, h/8, w/8]` of pixels `x` ∈ [−1, 1] (see the file comment). */
export function taesdEncode<T>(ops: NetOps<T>, spec: VaeSpec, p: ParamLookup<T>, x: T, opts: TaesdEncodeOptions<T> = {}): T {
  const n: Net<T> = { ops, p, lora: opts.lora };
  const tembAct = taeTimeEmbedding(n, opts.tae, opts.timestep, 'taesdEncode');
  let h = ops.addScalar(ops.scale(x, 0.5), 0.5);
  for (const [i, layer] of taesdEncoderLayers(spec).entries()) {
    const name = `encoder.${i}`;
    if (layer.kind === 'conv') h = conv(n, name, h, { padding: 1, stride: layer.stride }, layer.bias);
    else if (layer.kind === 'block') {
      let time: { scale: T; shift: T } | null = null;
      if (tembAct !== null) {
        const [scale, shift] = ops.split(linear(n, `${name}.time_emb_proj`, tembAct), 1, 2) as [T, T];
        time = { scale: ops.expandSpatial(scale), shift: ops.expandSpatial(shift) };
      }
      h = block(n, name, h, layer.gn, spec.normNumGroups, time);
    }
  }
  return ops.concat([h, ops.addScalar(ops.scale(h, 0), TAESD_LOGVAR)], 1);
}

/** Pixels ∈ [−1, 1] (unclamped) `[B, 3, 8h, 8w]` from latents `z` `[B, latent, h, w]`. */
export function taesdDecode<T>(ops: NetOps<T>, spec: VaeSpec, p: ParamLookup<T>, z: T, opts: { readonly lora?: LoraLookup<T> } = {}): T {
  const n: Net<T> = { ops, p, lora: opts.lora };
  let h = z;
  for (const [i, layer] of taesdDecoderLayers(spec).entries()) {
    const name = `decoder.${i}`;
    if (layer.kind === 'clamp') h = ops.scale(ops.tanh(ops.scale(h, 1 / 3)), 3);
    else if (layer.kind === 'relu') h = ops.relu(h);
    else if (layer.kind === 'up') h = ops.upsampleNearest2x(h);
    else if (layer.kind === 'conv') h = conv(n, name, h, { padding: 1, stride: layer.stride }, layer.bias);
    else if (layer.kind === 'block') h = block(n, name, h, layer.gn, spec.normNumGroups, null);
  }
  return ops.addScalar(ops.scale(h, 2), -1);
}

/** Parameter shapes of a taesd autoencoder (and the time-aware encoder's layers with `tae`). */
export function taesdParamShapes(spec: VaeSpec, tae?: TimeAwareSpec): ShapeMap {
  const m: ShapeMap = new Map();
  const W = spec.blockOutChannels[0]!;
  if (tae !== undefined) {
    m.set('encoder.time_embedding.linear_1.weight', [tae.embedDim, tae.timeProjDim]);
    m.set('encoder.time_embedding.linear_1.bias', [tae.embedDim]);
    m.set('encoder.time_embedding.linear_2.weight', [tae.embedDim, tae.embedDim]);
    m.set('encoder.time_embedding.linear_2.bias', [tae.embedDim]);
  }
  const add = (side: 'encoder' | 'decoder', layers: Layer[], time: boolean): void => {
    for (const [i, l] of layers.entries()) {
      const name = `${side}.${i}`;
      if (l.kind === 'conv') {
        m.set(`${name}.weight`, [l.cout, l.cin, 3, 3]);
        if (l.bias) m.set(`${name}.bias`, [l.cout]);
      } else if (l.kind === 'block') {
        for (const c of [0, 2, 4]) {
          m.set(`${name}.conv.${c}.weight`, [W, W, 3, 3]);
          m.set(`${name}.conv.${c}.bias`, [W]);
        }
        if (l.gn) {
          m.set(`${name}.pool.0.weight`, [4 * W, W, 1, 1]);
          m.set(`${name}.pool.1.weight`, [4 * W]);
          m.set(`${name}.pool.1.bias`, [4 * W]);
          m.set(`${name}.pool.3.weight`, [W, 4 * W, 1, 1]);
        }
        if (time && tae !== undefined) {
          m.set(`${name}.time_emb_proj.weight`, [2 * W, tae.embedDim]);
          m.set(`${name}.time_emb_proj.bias`, [2 * W]);
        }
      }
    }
  };
  add('encoder', taesdEncoderLayers(spec), true);
  add('decoder', taesdDecoderLayers(spec), false);
  return m;
}
