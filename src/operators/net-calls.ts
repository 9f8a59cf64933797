/**
 * The four network calls TADSR makes, over any {@link Backend}: encode (plain or time-aware), UNet ε, decode.
 * One place that knows the backend's input/output names and the latent conventions (posterior mean or a seeded
 * sample, × scaling factor), so the operators stay small.
 *
 * ```ts
 * const zL = await encodeLatent(backend, model, x, 500);
 * const eps = await unetEps(backend, model, zL, 500);
 * ```
 */
import type { Backend, HostTensor, SubNetwork } from '../backends/backend.js';
import type { ModelFacts } from '../models/model-facts.js';
import { zeroTextCondition } from '../models/text-condition.js';

export type { ModelFacts } from '../models/model-facts.js';
export { CONTEXT_TOKENS } from '../models/text-condition.js';

/** Number of latent values for a `[1, 3, H, W]` pixel tensor. */
export function latentSize(facts: ModelFacts, height: number, width: number): number {
  return (height / facts.vaeDownsample) * (width / facts.vaeDownsample) * facts.latentChannels;
}

function single(out: Record<string, HostTensor>, net: SubNetwork): HostTensor {
  const vals = Object.values(out);
  if (vals.length !== 1) throw new Error(`${net} returned ${vals.length} outputs (${Object.keys(out).join(', ')}), expected 1`);
  return vals[0]!;
}

/** A timestep `[B]`: one for the batch, or one per sample (training draws t_v per sample). */
function timesteps(t: number | readonly number[], batch: number): HostTensor {
  if (typeof t === 'number') return { shape: [batch], data: new Float32Array(batch).fill(t) };
  if (t.length !== batch) throw new RangeError(`${t.length} timesteps for a batch of ${batch}`);
  return { shape: [batch], data: Float32Array.from(t) };
}

/**
 * The fixed, text-free condition: zeros `[B, 1, crossAttentionDim]` (null when the UNet has no cross-attention).
 * For models without a text encoder (those trained here), a constant embedding is the honest substitute; models
 * with one (`spec.text`) are conditioned on a prompt's embedding instead (`PromptEncoder`, `encodePrompt`).
 */
export function emptyContext(facts: ModelFacts, batch: number): HostTensor | null {
  return zeroTextCondition(facts.crossAttentionDim, batch);
}

export interface EncodeLatentOptions {
  /** Use the time-aware encoder (default: when the model has one). */
  readonly tae?: boolean;
  /** Standard-normal noise for a posterior *sample* (mean + σ·n); absent: the posterior mean (deterministic). */
  readonly noise?: Float32Array;
}

/** z_L = E(x, t_s) × scaling factor, from pixels `[B, 3, H, W]` in [−1, 1]. */
export async function encodeLatent(backend: Backend, facts: ModelFacts, x: HostTensor, tS: number, opts: EncodeLatentOptions = {}): Promise<HostTensor> {
  const batch = x.shape[0]!;
  const useTae = opts.tae ?? facts.hasTae;
  if (useTae && !facts.hasTae) throw new Error('this model has no time-aware encoder');
  const net: SubNetwork = useTae ? 'timeAwareEncoder' : 'vaeEncoder';
  const inputs: Record<string, HostTensor> = useTae ? { sample: x, timestep: timesteps(tS, batch) } : { sample: x };
  const moments = single(await backend.run(net, inputs), net);
  const [b, c2, h, w] = moments.shape as [number, number, number, number];
  const c = c2 / 2;
  const plane = h * w;
  const out = new Float32Array(b * c * plane);
  for (let i = 0; i < b; i++) {
    for (let k = 0; k < c; k++) {
      const mean = moments.data.subarray((i * c2 + k) * plane, (i * c2 + k + 1) * plane);
      const dst = (i * c + k) * plane;
      if (opts.noise) {
        const logvar = moments.data.subarray((i * c2 + c + k) * plane, (i * c2 + c + k + 1) * plane);
        for (let j = 0; j < plane; j++) {
          const lv = Math.min(20, Math.max(-30, logvar[j]!));
          out[dst + j] = (mean[j]! + Math.exp(0.5 * lv) * opts.noise[dst + j]!) * facts.scalingFactor;
        }
      } else {
        for (let j = 0; j < plane; j++) out[dst + j] = mean[j]! * facts.scalingFactor;
      }
    }
  }
  return { shape: [b, c, h, w], data: out };
}

/** One sub-network call with its single output: a step of a {@link NetPlan}. */
export interface NetCall {
  readonly backend: Backend;
  readonly net: SubNetwork;
  readonly inputs: Readonly<Record<string, HostTensor>>;
}

/**
 * A computation over network calls written once and run either way: a generator that yields each call and gets
 * its output back. {@link runPlan} awaits `run`; {@link runPlanSync} uses `runSync` (backends on the calling
 * thread), which is what lets a TF.js training step take the scores inside its synchronous gradient tape.
 */
export type NetPlan<R> = Generator<NetCall, R, HostTensor>;

export async function runPlan<R>(plan: NetPlan<R>): Promise<R> {
  let r = plan.next();
  while (!r.done) {
    const c = r.value;
    r = plan.next(single(await c.backend.run(c.net, c.inputs), c.net));
  }
  return r.value;
}

/** {@link runPlan} without awaiting: every backend called must offer `runSync`. */
export function runPlanSync<R>(plan: NetPlan<R>): R {
  let r = plan.next();
  while (!r.done) {
    const c = r.value;
    if (!c.backend.runSync) throw new Error(`${c.backend.info.name} (${c.net}) cannot run synchronously`);
    r = plan.next(single(c.backend.runSync(c.net, c.inputs), c.net));
  }
  return r.value;
}

/** The UNet call ε = UNet(z, t, c) on the student (`unet`) or the frozen teacher (`teacherUnet`). */
export function unetCall(
  backend: Backend,
  facts: ModelFacts,
  z: HostTensor,
  t: number | readonly number[],
  opts: { readonly net?: 'unet' | 'teacherUnet'; readonly context?: HostTensor | null } = {},
): NetCall {
  const batch = z.shape[0]!;
  const net = opts.net ?? 'unet';
  const ctx = opts.context === undefined ? emptyContext(facts, batch) : opts.context;
  const inputs: Record<string, HostTensor> = { sample: z, timestep: timesteps(t, batch) };
  if (ctx) inputs['encoderHiddenStates'] = ctx;
  return { backend, net, inputs };
}

/** ε = UNet(z, t, c) on the student (`unet`) or the frozen teacher (`teacherUnet`); `t` one for all or one per sample. */
export async function unetEps(
  backend: Backend,
  facts: ModelFacts,
  z: HostTensor,
  t: number | readonly number[],
  opts: { readonly net?: 'unet' | 'teacherUnet'; readonly context?: HostTensor | null } = {},
): Promise<HostTensor> {
  const c = unetCall(backend, facts, z, t, opts);
  return single(await backend.run(c.net, c.inputs), c.net);
}

/** Pixels `[B, 3, H, W]` in about [−1, 1] from ẑ (× scaling factor, as the UNet works). */
export async function decodeLatent(backend: Backend, facts: ModelFacts, zHat: HostTensor): Promise<HostTensor> {
  const z = { shape: zHat.shape, data: zHat.data.map((v) => v / facts.scalingFactor) };
  return single(await backend.run('vaeDecoder', { latent: z }), 'vaeDecoder');
}
