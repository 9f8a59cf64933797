/**
 * LoRA as data, backend-agnostic: which modules an adapter wraps (`LoraSpec` regexes over module names), the
 * adapter parameter shapes (PEFT names: `<module>.lora_A.weight`, `<module>.lora_B.weight`), a forward-time
 * lookup for the networks (training), and merging into the base weights (inference export, ONNX).
 *
 * Linear `[out, in]`: A `[r, in]`, B `[out, r]`. Conv `[out, in, kh, kw]`: A `[r, in, kh, kw]` (same stride and
 * padding as the base conv), B `[out, r, 1, 1]`. Output: `base(x) + (alpha / r) · B(A(x))`.
 *
 * This is the project's one LoRA: training (src/graphs/training/lora.ts holds the adapters as TF.js variables)
 * selects modules, looks adapters up and merges them for export with these functions.
 */
import type { LoraLookup } from './layers.js';
import type { ParamLookup } from './net-ops.js';
import type { ShapeMap, WeightMap } from './params.js';
import type { LoraAdapterSpec, LoraSpec } from './specs.js';

/**
 * TADSR's UNet LoRA targets (official `initialize_unet`): attention q/k/v/out, the convs, proj_in/out and the
 * feed-forward — not `conv_in` (trained fully), not the time embedding, not norms.
 */
export const OFFICIAL_UNET_LORA_TARGET =
  '(?!conv_in$)(?!.*time_emb)(?!.*norm)(?:.*\\.)?(?:to_k|to_q|to_v|to_out\\.0|conv|conv1|conv2|conv_shortcut|conv_out|proj_out|proj_in|ff\\.net\\.2|ff\\.net\\.0\\.proj)';

/**
 * TADSR's VAE LoRA targets (official `initialize_vae_time`): the encoder's convs and attention, and `quant_conv`;
 * for a TAESD-family encoder (`taesd.ts`) its convs `encoder.<i>`, `encoder.<i>.conv.<j>`, `encoder.<i>.pool.<0|3>`.
 */
export const OFFICIAL_VAE_ENCODER_LORA_TARGET =
  'quant_conv|encoder\\.(?!.*time)(?!.*norm)(?:.*\\.)?(?:conv|conv1|conv2|conv_in|conv_shortcut|conv_out|to_k|to_q|to_v|to_out\\.0)' +
  '|encoder\\.\\d+(?:\\.conv\\.\\d+|\\.pool\\.[03])?';

/**
 * The official adapters of a TADSR student (UNet and VAE encoder) at one rank and alpha; the fake score uses the
 * UNet adapter's modules too.
 *
 * @example
 * const unetModules = loraModules(officialLoraSpec(4, 8), 'unet', unetParamShapes(spec.unet));
 */
export function officialLoraSpec(rank: number, alpha: number): LoraSpec {
  return {
    adapters: [
      { network: 'unet', rank, alpha, targets: [OFFICIAL_UNET_LORA_TARGET] },
      { network: 'vae', rank, alpha, targets: [OFFICIAL_VAE_ENCODER_LORA_TARGET] },
    ],
  };
}

/** One wrapped module: its name, adapter and base weight shape. */
export interface LoraModule {
  readonly module: string;
  readonly adapter: LoraAdapterSpec;
  readonly baseShape: readonly number[];
}

/**
 * The modules of one network (`shapes` = its `unetParamShapes`/`vaeParamShapes`) that `spec`'s adapters wrap.
 * Throws when a module is matched by two adapters, or a target matches nothing.
 */
export function loraModules(spec: LoraSpec, network: 'unet' | 'vae', shapes: ShapeMap): LoraModule[] {
  const out = new Map<string, LoraModule>();
  for (const adapter of spec.adapters.filter((a) => a.network === network)) {
    for (const target of adapter.targets) {
      const re = new RegExp(`^(?:${target})$`);
      let hits = 0;
      for (const [name, shape] of shapes) {
        if (!name.endsWith('.weight') || (shape.length !== 2 && shape.length !== 4)) continue;
        const module = name.slice(0, -'.weight'.length);
        if (!re.test(module)) continue;
        hits++;
        const prev = out.get(module);
        if (prev !== undefined && prev.adapter !== adapter) throw new Error(`LoRA: module "${module}" is matched by two adapters`);
        out.set(module, { module, adapter, baseShape: shape });
      }
      if (hits === 0) throw new Error(`LoRA: target /${target}/ matches no Linear or Conv2d module of the ${network}`);
    }
  }
  return [...out.values()];
}

/** Adapter parameter shapes (PEFT names) for the modules of one network. */
export function loraParamShapes(modules: readonly LoraModule[]): ShapeMap {
  const m: ShapeMap = new Map();
  for (const { module, adapter, baseShape } of modules) {
    const r = adapter.rank;
    const [out, inp, ...k] = baseShape as [number, number, ...number[]];
    m.set(`${module}.lora_A.weight`, [r, inp, ...k]);
    m.set(`${module}.lora_B.weight`, k.length === 0 ? [out, r] : [out, r, 1, 1]);
  }
  return m;
}

/**
 * The forward-time LoRA lookup the networks take (`unetForward(…, { lora })`): reads A/B through `p`.
 *
 * @example
 * const lora = loraLookup(loraModules(spec.lora!, 'unet', unetParamShapes(spec.unet)), (n) => vars.get(n)!);
 */
export function loraLookup<T>(modules: readonly LoraModule[], p: ParamLookup<T>): LoraLookup<T> {
  const byName = new Map(modules.map((m) => [m.module, m]));
  return (module) => {
    const m = byName.get(module);
    if (m === undefined) return undefined;
    return { a: p(`${module}.lora_A.weight`), b: p(`${module}.lora_B.weight`), scale: m.adapter.alpha / m.adapter.rank };
  };
}

/**
 * Base weights with the adapters merged in (`W + (alpha/r)·B·A`), for inference backends. `base` is not changed;
 * unwrapped tensors are shared, not copied.
 */
export function mergeLora(base: WeightMap, lora: WeightMap, modules: readonly LoraModule[]): WeightMap {
  const out: WeightMap = new Map(base);
  for (const { module, adapter } of modules) {
    const w = base.get(`${module}.weight`);
    const a = lora.get(`${module}.lora_A.weight`);
    const b = lora.get(`${module}.lora_B.weight`);
    if (w === undefined || a === undefined || b === undefined) throw new Error(`mergeLora: "${module}" lacks its base or A/B weights`);
    const r = adapter.rank;
    const scale = adapter.alpha / r;
    const outC = w.shape[0]!;
    const cols = w.data.length / outC; // in·kh·kw
    const merged = new Float32Array(w.data);
    for (let o = 0; o < outC; o++) {
      for (let k = 0; k < r; k++) {
        const bv = scale * b.data[o * r + k]!;
        if (bv === 0) continue;
        const row = o * cols;
        const arow = k * cols;
        for (let c = 0; c < cols; c++) merged[row + c]! += bv * a.data[arow + c]!;
      }
    }
    out.set(`${module}.weight`, { shape: w.shape, data: merged });
  }
  return out;
}
