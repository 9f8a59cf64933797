/**
 * Teacher pre-training on TF.js (`tadsr pretrain --config F [--resume]`), so a complete teacher can be made on one
 * machine for presets without pretrained SD weights:
 *
 * 1. **VAE** on HQ patches: L1(x̂, x) + klWeight·KL(q(z|x) ‖ N(0, I)) (mean over elements) [+ lpipsWeight·LPIPS],
 *    x̂ decoded from a seeded posterior sample. The TAE's time layers are not trained here (they stay zero: TAE =
 *    encoder). `vae.train: "decoder"` with `init.vae` fine-tunes only the decoder of a trained VAE: its latent
 *    space (and so a teacher UNet trained on it, given as `init.unet`) stays valid.
 * 2. **UNet** (ε-prediction, SD's scaled-linear schedule, t ~ U[0, 1000)) on the frozen VAE's latents
 *    (posterior mean × scaling factor), conditioned on the fixed empty (all-zero) embedding.
 *
 * Checkpoints (atomic) every `checkpointEvery` steps and at the end of each stage; `resume` continues the same
 * stage at the same next step; one JSONL line per step; the result is a model directory `out/model` whose UNet
 * is also its frozen teacher — the `teacher` of `tadsr train`.
 *
 * ```ts
 * await runPretraining(parsePretrainConfig({ preset: 'tiny', data: { hq: 'hq/', patch: 32 }, out: 'runs/t',
 *   vae: { steps: 10 }, unet: { steps: 10 } }), {}, console.log);
 * ```
 */
import '../backends/tfjs/register-gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostTensor } from '../backends/backend.js';
import type { RgbImage } from '../image.js';
import { pickTfjsRuntime } from '../backends/tfjs/runtime.js';
import { createTfjsNetOps } from '../backends/tfjs/tfjs-net-ops.js';
import { Rng } from '../random/rng.js';
import { diffusionLoss } from '../losses/diffusion-loss.js';
import type { NetOps } from '../models/net-ops.js';
import { type ModelWeights, type WeightMap, initParams, unetParamShapes, vaeParamShapes } from '../models/params.js';
import { presetByName } from '../models/presets.js';
import { assertShapesMatch, readSafetensors } from '../models/safetensors.js';
import { validateModelSpec } from '../models/schema.js';
import type { ModelSpec } from '../models/specs.js';
import { unetForward } from '../models/unet.js';
import { posteriorLogVar, posteriorMean, vaeDecode, vaeEncode } from '../models/vae.js';
import { CONTEXT_TOKENS } from '../models/text-condition.js';
import { imageToNchw } from '../losses/image-nchw.js';
import { noisingCoefficients } from '../schedule/one-step.js';
import { scheduleOf } from '../schedule/noise-schedule.js';
import { acquireRunLock } from '../io/run-lock.js';
import { probeWritable } from '../io/safe-output.js';
import { checkModelDirTarget, writeModelDir } from './model-dir.js';
import { assertFiniteStep } from './training/guards.js';
import type { PretrainConfig } from './pretrain-config.js';
import { type Perceptual, loadPerceptual } from './training/perceptual.js';
import { TrainError } from './training/train-error.js';
import { AdamW } from '../backends/tfjs/train/adamw.js';
import { ownedVariable } from './training/lora.js';
import { HqDataset } from './training/hq-dataset.js';
import { appendJsonl, checkRunDirTarget, readLatestCheckpoint, writeCheckpoint } from './training/run-files.js';

export type PretrainStage = 'vae' | 'unet';

export type PretrainEvent =
  | { readonly type: 'start'; readonly stage: PretrainStage; readonly step: number; readonly steps: number; readonly runtime: string }
  | { readonly type: 'step'; readonly stage: PretrainStage; readonly step: number; readonly loss: number; readonly terms: Readonly<Record<string, number>>; readonly ms: number }
  | { readonly type: 'checkpoint'; readonly stage: PretrainStage; readonly step: number; readonly dir: string }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'done'; readonly modelDir: string };

let runCounter = 0;

function variables(w: WeightMap, prefix: string, filter: (n: string) => boolean): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const [k, v] of w) if (filter(k)) out.set(k, ownedVariable(tf.tensor(v.data, [...v.shape]), `${prefix}/${k}`));
  return out;
}

function hostOf(vars: ReadonlyMap<string, tf.Variable>, base: WeightMap): WeightMap {
  const out: WeightMap = new Map(base);
  for (const [k, v] of vars) out.set(k, { shape: v.shape, data: Float32Array.from(v.dataSync() as Float32Array) });
  return out;
}

async function loadInit(path: string | undefined, shapes: ReturnType<typeof unetParamShapes>, fallback: WeightMap, what: string): Promise<WeightMap> {
  if (!path) return fallback;
  const w = await readSafetensors(path);
  assertShapesMatch(path, shapes, new Map([...w].map(([k, t]) => [k, [...t.shape]])), { allowUnexpected: true });
  const out: WeightMap = new Map(fallback);
  for (const k of shapes.keys()) out.set(k, w.get(k)!);
  void what;
  return out;
}

/**
 * Run both stages (skipping finished ones on resume), then write `out/model`. Holds `out/.lock` while it runs,
 * checks before any work that `out/model` can be written, and stops at the first step whose loss or gradient norm
 * is not finite (the last good checkpoint stays the latest).
 */
export async function runPretraining(cfg: PretrainConfig, opts: { readonly resume?: boolean; readonly stopAfter?: number }, emit: (e: PretrainEvent) => void): Promise<void> {
  checkModelDirTarget(join(cfg.out, 'model'));
  probeWritable(cfg.out, 'run folder');
  const release = acquireRunLock(cfg.out, 'tadsr pretrain');
  try {
    checkRunDirTarget(cfg.out, opts.resume === true, 'tadsr pretrain');
    await runPretrainingLocked(cfg, opts, emit);
  } finally {
    release();
  }
}

async function runPretrainingLocked(cfg: PretrainConfig, opts: { readonly resume?: boolean; readonly stopAfter?: number }, emit: (e: PretrainEvent) => void): Promise<void> {
  const rt = await pickTfjsRuntime(cfg.runtime ? { runtime: cfg.runtime } : {});
  const ops = createTfjsNetOps({ heavy: cfg.heavyOps });
  const spec = cfg.spec ? await readSpecFile(cfg.spec) : presetByName(cfg.preset);
  const fresh = initParams(spec, cfg.seed);
  let weights: ModelWeights = {
    unet: await loadInit(cfg.init?.unet, unetParamShapes(spec.unet), fresh.unet, 'unet'),
    vae: await loadInit(cfg.init?.vae, vaeParamShapes(spec.vae), fresh.vae, 'vae'),
  };
  const ds = await HqDataset.open({ dir: cfg.data.hq, patch: cfg.data.patch, seed: cfg.seed, limit: cfg.data.limit });
  await mkdir(cfg.out, { recursive: true });
  const logPath = join(cfg.out, 'log.jsonl');
  const fingerprint = JSON.stringify({ spec, patch: cfg.data.patch });

  let startStage: PretrainStage = 'vae';
  let startStep = 0;
  let optState: Map<string, HostTensor> | undefined;
  let lastCheckpoint: string | undefined;
  if (opts.resume) {
    const ck = await readLatestCheckpoint(cfg.out, ['unet', 'vae', 'opt']);
    if (!ck) throw new TrainError(`--resume: no checkpoint in ${join(cfg.out, 'checkpoints')} (start without --resume)`);
    if (ck.state['fingerprint'] !== fingerprint) throw new TrainError(`--resume: ${ck.dir} was written for another preset or patch size; use a new "out" directory`);
    for (const s of ck.skipped) emit({ type: 'warning', message: `passed over a checkpoint that cannot be read: ${s.message}` });
    lastCheckpoint = ck.dir;
    weights = { unet: ck.groups['unet']!, vae: ck.groups['vae']! };
    startStage = ck.state['stage'] as PretrainStage;
    startStep = ck.state.step;
    if (startStage === 'vae' && startStep >= cfg.vae.steps) {
      startStage = 'unet';
      startStep = 0;
    } else {
      optState = ck.groups['opt'];
    }
  }
  const budget = { left: opts.stopAfter ?? Number.POSITIVE_INFINITY };
  const reported = new Set<string>();
  const warn = () => {
    for (const [p, why] of ds.skipped) if (!reported.has(p)) { reported.add(p); emit({ type: 'warning', message: `skipped unreadable image ${p}: ${why}` }); }
  };
  const run = `pretrain${runCounter++}`;

  const batch = async (k0: number): Promise<tf.Tensor4D> => {
    const imgs: RgbImage[] = [];
    for (let j = 0; j < cfg.data.batch; j++) imgs.push((await ds.crop(k0 + j)).hq);
    warn();
    return tf.tidy(() => tf.concat(imgs.map((im) => imageToNchw(im)), 0) as tf.Tensor4D);
  };

  const stageLoop = async (
    stage: PretrainStage,
    steps: number,
    vars: Map<string, tf.Variable>,
    lr: number,
    from: number,
    state: Map<string, HostTensor> | undefined,
    lossFn: (x: tf.Tensor4D, step: number) => { loss: tf.Scalar; terms: Record<string, tf.Scalar> },
    snapshot: () => ModelWeights,
  ): Promise<boolean> => {
    const opt = new AdamW(vars, { lr, weightDecay: cfg.weightDecay, maxGradNorm: cfg.maxGradNorm });
    try {
      if (state) opt.load(state);
      emit({ type: 'start', stage, step: from, steps, runtime: rt.detail });
      for (let step = from; step < steps; step++) {
        if (budget.left <= 0) return false;
        budget.left--;
        const t0 = performance.now();
        const x = await batch(step * cfg.data.batch);
        const termVals: Record<string, tf.Scalar> = {};
        const { value, grads } = tf.variableGrads(() => {
          const r = lossFn(x, step);
          for (const [k, v] of Object.entries(r.terms)) termVals[k] = tf.keep(v);
          return r.loss;
        }, [...vars.values()]);
        const byKey: Record<string, tf.Tensor> = {};
        for (const [k, v] of vars) if (grads[v.name]) byKey[k] = grads[v.name]!;
        const gradNorm = opt.apply(byKey);
        const loss = value.dataSync()[0]!;
        const terms = Object.fromEntries(Object.entries(termVals).map(([k, v]) => [k, v.dataSync()[0]!]));
        tf.dispose([value, x, ...Object.values(grads), ...Object.values(termVals)]);
        assertFiniteStep(step + 1, { ...Object.fromEntries(Object.entries(terms).map(([k, v]) => [`${stage} ${k} loss`, v])), [`${stage} loss`]: loss, [`${stage} grad_norm`]: gradNorm }, lastCheckpoint, 'lower the stage\'s "lr"');
        const rec = { type: 'step' as const, stage, step: step + 1, loss, terms, ms: Math.round(performance.now() - t0) };
        await appendJsonl(logPath, rec);
        emit(rec);
        if ((step + 1) % cfg.checkpointEvery === 0 || step + 1 === steps) {
          const w = snapshot();
          const dir = await writeCheckpoint(cfg.out, step + 1, { unet: w.unet, vae: w.vae, opt: opt.state() }, { fingerprint, stage });
          lastCheckpoint = dir;
          emit({ type: 'checkpoint', stage, step: step + 1, dir });
        }
      }
      return true;
    } finally {
      opt.dispose();
    }
  };

  // Stage 1: VAE.
  if (startStage === 'vae' && cfg.vae.steps > 0) {
    const vars = variables(weights.vae, `${run}/vae`, (k) => !k.includes('time_emb') && (cfg.vae.train === 'all' || isDecoderParam(k)));
    const consts = new Map<string, tf.Tensor>([...weights.vae].filter(([k]) => !vars.has(k)).map(([k, v]) => [k, tf.tensor(v.data, [...v.shape])]));
    const p = (n: string): tf.Tensor => vars.get(n) ?? consts.get(n) ?? (() => { throw new Error(`missing ${n}`); })();
    const lpips = cfg.vae.lpipsWeight > 0 ? await loadPerceptual(ops, cfg.lpipsWeights!) : undefined;
    try {
      const done = await stageLoop('vae', cfg.vae.steps, vars, cfg.vae.lr, startStep, optState, (x, step) => vaeLoss(ops, spec.vae, p, x, cfg, step, lpips?.fn), () => ({ unet: weights.unet, vae: hostOf(vars, weights.vae) }));
      weights = { unet: weights.unet, vae: hostOf(vars, weights.vae) };
      if (!done) return;
    } finally {
      for (const t of [...vars.values(), ...consts.values()]) t.dispose();
      lpips?.dispose();
    }
    startStep = 0;
  }
  // Stage 2: UNet on frozen VAE latents.
  if (cfg.unet.steps > 0) {
    const vars = variables(weights.unet, `${run}/unet`, () => true);
    const vae = new Map<string, tf.Tensor>([...weights.vae].map(([k, v]) => [k, tf.tensor(v.data, [...v.shape])]));
    const pv = (n: string) => vae.get(n)!;
    const pu = (n: string) => vars.get(n)!;
    const state = startStage === 'unet' ? optState : undefined;
    const done = await stageLoop('unet', cfg.unet.steps, vars, cfg.unet.lr, startStage === 'unet' ? startStep : 0, state, (x, step) => {
      const z = tf.tidy(() => ops.scale(posteriorMean(ops, vaeEncode(ops, spec.vae, pv, x)), spec.vae.scalingFactor));
      const rng = Rng.forImage(cfg.seed, `unet-step-${step}`, 't');
      const t = rng.randint(0, 999);
      const n = new Float32Array(z.size);
      Rng.forImage(cfg.seed, `unet-step-${step}`, 'noise').fillNormal(n);
      const noise = tf.tensor(n, z.shape);
      const { alpha, sigma } = noisingCoefficients(t, scheduleOf(spec));
      const zt = tf.add(tf.mul(z, alpha), tf.mul(noise, sigma));
      const B = x.shape[0];
      const d = spec.unet.crossAttentionDim;
      const eps = unetForward(ops, spec.unet, pu, { sample: zt, timestep: tf.fill([B], t), ...(d === null ? {} : { encoderHiddenStates: tf.zeros([B, CONTEXT_TOKENS, d]) }) });
      const loss = diffusionLoss(eps, noise);
      return { loss, terms: { diffusion: loss } };
    }, () => ({ unet: hostOf(vars, weights.unet), vae: weights.vae }));
    weights = { unet: hostOf(vars, weights.unet), vae: weights.vae };
    for (const t of [...vars.values(), ...vae.values()]) t.dispose();
    if (!done) return;
  }
  const modelDir = join(cfg.out, 'model');
  await writeModelDir(modelDir, spec, weights, {
    ...(cfg.spec ? {} : { preset: cfg.preset }),
    teacherUnet: weights.unet,
    provenance: { source: 'tadsr pretrain', ...(cfg.spec ? { specFile: cfg.spec } : {}), vaeSteps: cfg.vae.steps, unetSteps: cfg.unet.steps, seed: cfg.seed, ...(cfg.init?.unet ? { initUnet: cfg.init.unet } : {}), ...(cfg.init?.vae ? { initVae: cfg.init.vae } : {}) },
  });
  emit({ type: 'done', modelDir });
}

/** The decoder side of a VAE (what `vae.train: "decoder"` trains): everything after the latent. */
export function isDecoderParam(key: string): boolean {
  return key.startsWith('decoder.') || key.startsWith('post_quant_conv.');
}

function vaeLoss(ops: NetOps<tf.Tensor>, spec: PretrainSpec, p: (n: string) => tf.Tensor, x: tf.Tensor4D, cfg: PretrainConfig, step: number, perceptual?: Perceptual): { loss: tf.Scalar; terms: Record<string, tf.Scalar> } {
  const moments = vaeEncode(ops, spec, p, x);
  const mean = posteriorMean(ops, moments);
  const logvar = tf.clipByValue(posteriorLogVar(ops, moments), -30, 20);
  const n = new Float32Array(mean.size);
  Rng.forImage(cfg.seed, `vae-step-${step}`, 'posterior').fillNormal(n);
  const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logvar, 0.5)), tf.tensor(n, mean.shape)));
  const recon = vaeDecode(ops, spec, p, z);
  const l1 = tf.mean(tf.abs(tf.sub(recon, x))) as tf.Scalar;
  const kl = tf.mul(tf.mean(tf.sub(tf.add(tf.square(mean), tf.exp(logvar)), tf.add(logvar, 1))), 0.5) as tf.Scalar;
  let loss = tf.add(l1, tf.mul(kl, cfg.vae.klWeight)) as tf.Scalar;
  if (!perceptual) return { loss, terms: { l1, kl } };
  const lpips = perceptual(recon, x);
  loss = tf.add(loss, tf.mul(lpips, cfg.vae.lpipsWeight)) as tf.Scalar;
  return { loss, terms: { l1, kl, lpips } };
}

/** A ModelSpec from a JSON file (validated; errors name the file). */
async function readSpecFile(path: string): Promise<ModelSpec> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new TrainError(`cannot read model spec ${path}: ${(err as Error).message}`);
  }
  try {
    return validateModelSpec(json);
  } catch (err) {
    throw new TrainError(`model spec ${path}: ${(err as Error).message}`);
  }
}

type PretrainSpec = ReturnType<typeof presetByName>['vae'];
