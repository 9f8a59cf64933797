/**
 * The t_s adapter: a weight delta of the student that the dial switches on. A model folder may carry one
 * (`files.tsAdapter`, `tsAdapter: { from, to }` in model.json); then the student at timestep t_s is
 *
 *   W(t_s) = W + g(t_s)·ΔW,   g(t) = clamp((t − from) / (to − from), 0, 1)
 *
 * for every module the adapter names — exactly the base student at t_s ≤ `from`, exactly the fine-tuned student
 * (base + ΔW) at t_s ≥ `to`, the weight-space blend of the two between. Why: a fine-tune of the dial's large-t_s
 * end moves the small-t_s end too (the two share all weights; model card, third series); gated by t_s it cannot.
 *
 * ΔW is applied as a branch beside each module, `y = base(x) + g·Δ(x)`, with g per sample (the graph's `timestep`
 * input), so one graph serves a batch of mixed t_s and low-rank deltas stay low-rank (both backends run a batch
 * at one t_s on weights merged at that g instead — {@link applyTsAdapter} — the same maths at the base cost):
 * - LoRA modules: `<module>.lora_A.weight` `[r, in(, kh, kw)]`, `<module>.lora_B.weight` `[out, r(, 1, 1)]`, with
 *   alpha/r already multiplied into B (Δ = B·A);
 * - full-rank modules (a fine-tune's fully trained `conv_in`, time layers): `<module>.delta.weight` (the base
 *   weight's shape) and `<module>.delta.bias` (when the base has a bias).
 *
 * @example
 * const adapter = tsAdapterFromStudent(base, checkpointStudent, 16 / 8, { from: 300, to: 500 });
 * tsGateValue(adapter.gate, 400);   // 0.5
 * const unetAt400 = applyTsAdapter(base.unet, adapter.unet, 0.5);   // the merged weights at t_s 400
 */
import type { LoraLookup } from './layers.js';
import { type LoraModule, mergeLora } from './lora.js';
import type { NetOps, ParamLookup } from './net-ops.js';
import type { ModelWeights, ShapeMap, WeightMap } from './params.js';
import type { TsAdapterWeights, TsGate } from './ts-adapter-weights.js';
import { unetParamShapes, vaeParamShapes } from './params.js';
import type { ModelSpec } from './specs.js';

export type { TsAdapterWeights, TsGate } from './ts-adapter-weights.js';

/** A bad gate or adapter file; the message names the key. */
export class TsAdapterError extends Error {
  override name = 'TsAdapterError';
}

/** Throws {@link TsAdapterError} unless 0 ≤ from < to ≤ 999 (integers). */
export function checkTsGate(gate: unknown, where = 'tsAdapter'): TsGate {
  const g = gate as Partial<TsGate> | null;
  const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 999;
  if (g === null || typeof g !== 'object' || !ok(g.from) || !ok(g.to) || g.from >= g.to) {
    throw new TsAdapterError(`${where} must be { "from": F, "to": T } with integers 0 ≤ F < T ≤ 999, got ${JSON.stringify(gate)}`);
  }
  return { from: g.from, to: g.to };
}

/** g(t) on the host: 0 at t ≤ from, 1 at t ≥ to, linear between. */
export function tsGateValue(gate: TsGate, t: number): number {
  return Math.min(1, Math.max(0, (t - gate.from) / (gate.to - gate.from)));
}

/** The one gate value of a batch (`timesteps` `[B]`), or undefined when its samples' t_s give different values. */
export function uniformGate(gate: TsGate, timesteps: ArrayLike<number>): number | undefined {
  const g = tsGateValue(gate, timesteps[0]!);
  for (let i = 1; i < timesteps.length; i++) if (tsGateValue(gate, timesteps[i]!) !== g) return undefined;
  return g;
}

/** g(t) in a graph: `timestep` `[B]` → `[B]`, as `relu(u) − relu(u − 1)` with u = (t − from)/(to − from). */
export function tsGate<T>(ops: NetOps<T>, gate: TsGate, timestep: T): T {
  const u = ops.scale(ops.addScalar(timestep, -gate.from), 1 / (gate.to - gate.from));
  return ops.sub(ops.relu(u), ops.relu(ops.addScalar(u, -1)));
}

type DeltaKind = 'lora' | 'dense';

/** The modules an adapter map holds and how each is stored. Throws on a name of neither form. */
export function tsAdapterModules(names: Iterable<string>): Map<string, DeltaKind> {
  const out = new Map<string, DeltaKind>();
  const add = (module: string, kind: DeltaKind, name: string) => {
    const prev = out.get(module);
    if (prev !== undefined && prev !== kind) throw new TsAdapterError(`t_s adapter: module "${module}" has both a LoRA and a full-rank delta ("${name}")`);
    out.set(module, kind);
  };
  for (const name of names) {
    const lora = /^(.+)\.lora_[AB]\.weight$/.exec(name);
    const dense = /^(.+)\.delta\.(weight|bias)$/.exec(name);
    if (lora) add(lora[1]!, 'lora', name);
    else if (dense) add(dense[1]!, 'dense', name);
    else throw new TsAdapterError(`t_s adapter: "${name}" is neither <module>.lora_A/B.weight nor <module>.delta.weight/bias`);
  }
  return out;
}

/** The shapes an adapter map must have against the base network's shapes (`base`); throws naming the first misfit. */
function checkNetwork(what: string, adapter: ShapeMap, base: ShapeMap): void {
  for (const [module, kind] of tsAdapterModules(adapter.keys())) {
    const w = base.get(`${module}.weight`);
    if (w === undefined || (w.length !== 2 && w.length !== 4)) throw new TsAdapterError(`t_s adapter (${what}): "${module}" is not a Linear or Conv2d of the model`);
    const [out, inp, ...k] = w;
    const expect = new Map<string, readonly number[]>();
    if (kind === 'dense') {
      expect.set(`${module}.delta.weight`, w);
      const b = base.get(`${module}.bias`);
      if (b !== undefined && adapter.has(`${module}.delta.bias`)) expect.set(`${module}.delta.bias`, b);
      if (b === undefined && adapter.has(`${module}.delta.bias`)) throw new TsAdapterError(`t_s adapter (${what}): "${module}" has no bias, yet the adapter has "${module}.delta.bias"`);
    } else {
      const r = adapter.get(`${module}.lora_A.weight`)?.[0] ?? adapter.get(`${module}.lora_B.weight`)?.[1] ?? 0;
      expect.set(`${module}.lora_A.weight`, [r, inp!, ...k]);
      expect.set(`${module}.lora_B.weight`, k.length === 0 ? [out!, r] : [out!, r, 1, 1]);
    }
    for (const [name, shape] of expect) {
      const got = adapter.get(name);
      if (got === undefined) throw new TsAdapterError(`t_s adapter (${what}): "${name}" is missing`);
      if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
        throw new TsAdapterError(`t_s adapter (${what}): "${name}" is [${got.join(', ')}], expected [${shape.join(', ')}]`);
      }
    }
  }
}

/** Check an adapter against a spec (every module exists, every shape fits); throws {@link TsAdapterError}. */
export function checkTsAdapter(spec: ModelSpec, adapter: { readonly unet: ShapeMap; readonly vae: ShapeMap }): void {
  checkNetwork('unet', adapter.unet, unetParamShapes(spec.unet));
  checkNetwork('vae', adapter.vae, vaeParamShapes(spec.vae, spec.tae));
  for (const name of adapter.vae.keys()) {
    if (!name.startsWith('encoder.') && !name.startsWith('quant_conv.')) throw new TsAdapterError(`t_s adapter (vae): "${name}" is not in the encoder (the decoder is frozen)`);
  }
}

/** An adapter as one weight map (`unet.…` / `vae.…`), as a model folder's `ts-adapter.safetensors` stores it. */
export function tsAdapterFileWeights(a: TsAdapterWeights): WeightMap {
  return new Map([...[...a.unet].map(([k, t]) => [`unet.${k}`, t] as const), ...[...a.vae].map(([k, t]) => [`vae.${k}`, t] as const)]);
}

/** The inverse of {@link tsAdapterFileWeights}; throws {@link TsAdapterError} on a name of neither network. */
export function tsAdapterFromFileWeights(all: WeightMap, gate: TsGate): TsAdapterWeights {
  const a = { gate, unet: new Map() as WeightMap, vae: new Map() as WeightMap };
  for (const [k, t] of all) {
    const net = k.startsWith('unet.') ? 'unet' : k.startsWith('vae.') ? 'vae' : undefined;
    if (net === undefined) throw new TsAdapterError(`"${k}" is neither unet.… nor vae.…`);
    a[net].set(k.slice(net.length + 1), t);
  }
  return a;
}

/** Shapes of a weight map (for {@link checkTsAdapter}). */
export function shapesOf(w: WeightMap): ShapeMap {
  return new Map([...w].map(([k, t]) => [k, [...t.shape]]));
}

/**
 * The forward-time lookup of an adapter gated per sample by `gate` (`[B]`, from {@link tsGate}); `p` reads the
 * adapter's tensors by name. Pass it as the networks' `lora` option.
 */
export function tsAdapterLookup<T>(modules: ReadonlyMap<string, DeltaKind>, p: ParamLookup<T>, gate: T, has: (name: string) => boolean): LoraLookup<T> {
  return (module) => {
    const kind = modules.get(module);
    if (kind === undefined) return undefined;
    if (kind === 'lora') return { a: p(`${module}.lora_A.weight`), b: p(`${module}.lora_B.weight`), scale: 1, gate };
    const bias = has(`${module}.delta.bias`) ? p(`${module}.delta.bias`) : undefined;
    return { a: p(`${module}.delta.weight`), scale: 1, gate, ...(bias === undefined ? {} : { bias }) };
  };
}

/** Base weights with `g`·ΔW merged in on the host (g = 1: the fine-tuned student; the ONNX backend, tools, tests). */
export function applyTsAdapter(base: WeightMap, adapter: WeightMap, g: number): WeightMap {
  const out: WeightMap = new Map(base);
  const loras: LoraModule[] = [];
  for (const [module, kind] of tsAdapterModules(adapter.keys())) {
    const w = base.get(`${module}.weight`);
    if (w === undefined) throw new TsAdapterError(`t_s adapter: "${module}" is not in the base weights`);
    if (kind === 'lora') {
      // B already holds alpha/r: merged at scale g (mergeLora's alpha/rank)
      const rank = adapter.get(`${module}.lora_A.weight`)!.shape[0]!;
      loras.push({ module, adapter: { network: 'unet', rank, alpha: g * rank, targets: [] }, baseShape: w.shape });
      continue;
    }
    const d = adapter.get(`${module}.delta.weight`)!.data;
    out.set(`${module}.weight`, { shape: w.shape, data: w.data.map((v, i) => v + g * d[i]!) });
    const db = adapter.get(`${module}.delta.bias`);
    const b = base.get(`${module}.bias`);
    if (db !== undefined && b !== undefined) out.set(`${module}.bias`, { shape: b.shape, data: b.data.map((v, i) => v + g * db.data[i]!) });
  }
  return loras.length === 0 ? out : mergeLora(out, adapter, loras);
}

/**
 * The adapter of a fine-tune: `student` is a distillation checkpoint's `student.safetensors` (keys `unet.…` /
 * `vae.…`: LoRA A/B at `loraScale` = alpha/r, and the fully trained tensors) of a run whose `init` was `base`.
 * LoRA pairs are kept low-rank (scale folded into B); each fully trained tensor becomes its difference to the base
 * (modules whose tensors equal the base's are left out).
 */
export function tsAdapterFromStudent(base: ModelWeights, student: WeightMap, loraScale: number, gate: TsGate): TsAdapterWeights {
  const nets = { unet: new Map() as WeightMap, vae: new Map() as WeightMap };
  for (const [key, t] of student) {
    const net = key.startsWith('unet.') ? 'unet' : key.startsWith('vae.') ? 'vae' : undefined;
    if (net === undefined) throw new TsAdapterError(`checkpoint student: "${key}" is neither unet.… nor vae.…`);
    const name = key.slice(net.length + 1);
    if (name.endsWith('.lora_B.weight')) nets[net].set(name, { shape: t.shape, data: t.data.map((v) => v * loraScale) });
    else if (name.endsWith('.lora_A.weight')) nets[net].set(name, t);
    else {
      const b = base[net].get(name);
      if (b === undefined) throw new TsAdapterError(`checkpoint student: "${key}" is not in the base model`);
      const d = t.data.map((v, i) => v - b.data[i]!);
      if (d.some((v) => v !== 0)) nets[net].set(name.replace(/\.(weight|bias)$/, '.delta.$1'), { shape: t.shape, data: d });
    }
  }
  // a module whose weight did not move but whose bias did still needs its (zero) weight delta
  for (const net of ['unet', 'vae'] as const) {
    for (const name of [...nets[net].keys()]) {
      const m = /^(.+)\.delta\.bias$/.exec(name);
      const w = m === null || nets[net].has(`${m[1]}.delta.weight`) ? undefined : base[net].get(`${m[1]}.weight`);
      if (m !== null && w !== undefined) nets[net].set(`${m[1]}.delta.weight`, { shape: w.shape, data: new Float32Array(w.data.length) });
    }
  }
  return { gate, unet: nets.unet, vae: nets.vae };
}
