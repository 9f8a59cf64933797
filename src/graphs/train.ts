/**
 * TADSR distillation on TF.js (`tadsr train --config F [--resume]`): HQ patches → Real-ESRGAN degradation (on the
 * fly) → student (time-aware encoder + UNet with LoRA, each sample at its own t_s drawn from the 50 official
 * values) → one-step ẑ → frozen decoder → SR clamped to [−1, 1] → blurred MSE with each sample's kernel (+ LPIPS
 * when weights are given) + λ_TAVSD·TAVSD at each sample's t_v; the fake score's LoRA is trained
 * with the diffusion loss in the same loop; two AdamW optimizers; atomic checkpoints; `resume` continues the
 * same run exactly (same next step: all randomness is a function of (seed, step)); one JSONL line per step.
 *
 * The scores go through the `Backend` contract and the `score` operator's code (`scoresAt`): the frozen teacher
 * is a backend of its own (`teacherBackend`: ONNX Runtime, or the TF.js nets), the fake score a TF.js backend over
 * the same nets; the fake score's update is the `fakeScore` operator's code (`updateFakeScore`). The TF.js
 * teacher and the ONNX teacher on the CPU (onnxruntime-node's native session) answer synchronously (`runSync`),
 * so their scores are taken inside the gradient tape (one student forward); a teacher that answers only
 * asynchronously (ONNX on a GPU provider) cannot enter a synchronous TF.js tape, so the step then computes ẑ once
 * without a tape, gets both scores (stop-gradient constants of the TAVSD loss), and takes the student's gradients
 * with ẑ recomputed on the tape.
 *
 * Text: every student and fake-score UNet call gets the fixed all-zero embedding (`[B, 1, dim]`) when the spec has
 * cross-attention. Without a `prompt` the teacher gets it too and its CFG is an identity, skipped; with a
 * `prompt` (a teacher with a text encoder) the teacher is guided, ε_u + (7.5 + t_v/200)(ε_c − ε_u) per sample,
 * c = the prompt's embedding, u = `negativePrompt`'s (logged at start).
 * Differences from the official code, and the config switches that restore it: docs/deviations.md.
 *
 * ```ts
 * const cfg = parseTrainConfig({ preset: 'tiny', data: { hq: 'hq/', patch: 64 }, out: 'runs/t', steps: 10 });
 * train(cfg).subscribe((e) => console.log(e));
 * ```
 */
import '../backends/tfjs/register-gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Observable } from 'rxjs';
import type { Backend, HostTensor } from '../backends/backend.js';
import { createOnnxBackend } from '../backends/onnx/onnx-backend.js';
import { pickTfjsRuntime } from '../backends/tfjs/runtime.js';
import { createTfjsNetOps } from '../backends/tfjs/tfjs-net-ops.js';
import { Rng } from '../random/rng.js';
import { noiseLatentsAt } from '../operators/noise-at.js';
import type { RgbImage } from '../image.js';
import { blurredMse } from '../losses/blurred-mse.js';
import { tavsdLoss } from '../losses/tavsd.js';
import { initParams } from '../models/params.js';
import { presetByName } from '../models/presets.js';
import type { ModelSpec } from '../models/specs.js';
import { modelFacts } from '../models/model-facts.js';
import { updateFakeScore } from '../operators/fake-score.js';
import { type Guidance, type ScoreOptions, canScoreSync, scoresAt, scoresAtSync } from '../operators/score.js';
import { imageToNchw } from '../losses/image-nchw.js';
import { bicubicUpsample } from '../resize/bicubic-upsample.js';
import { scheduleOf } from '../schedule/noise-schedule.js';
import { oneStepCoefficientsPerSample } from '../schedule/one-step.js';
import { acquireRunLock } from '../io/run-lock.js';
import { probeWritable } from '../io/safe-output.js';
import { checkModelDirTarget, readModelDir, writeModelDir } from './model-dir.js';
import type { TrainConfig } from './train-config.js';
import type { WithScores } from '../operators/tadsr-fields.js';
import { AdamW } from '../backends/tfjs/train/adamw.js';
import { HqDataset } from './training/hq-dataset.js';
import { DistillNets } from './training/nets.js';
import { type Perceptual, loadPerceptual } from './training/perceptual.js';
import { appendJsonl, checkRunDirTarget, readLatestCheckpoint, writeCheckpoint } from './training/run-files.js';
import { TrainError } from './training/train-error.js';
import { assertFiniteStep } from './training/guards.js';
import { fakeScoreTrainer } from './training/fake-score.js';
import { trainingGuidance } from './training/guidance.js';
import { distillScoreBackend } from './training/nets-backend.js';
import { drawAnchorTimesteps, drawTimesteps, linearPerSample } from './training/per-sample.js';
import { readInitWeights } from './training/init-weights.js';

export { TrainError } from './training/train-error.js';
export { TrainDivergedError } from './training/guards.js';

export interface StepRecord {
  readonly step: number;
  /** Student timestep of each sample. */
  readonly tS: readonly number[];
  /** TAVSD/VSD teacher timestep of each sample (null: no VSD term). */
  readonly tV: readonly number[] | null;
  /** The fake score's own timestep of each sample. */
  readonly tFake: readonly number[];
  readonly loss_mse: number;
  readonly loss_lpips: number | null;
  readonly loss_tavsd: number | null;
  /** The anchor's t_s of each sample and its loss (null: no anchor, `anchor.weight` 0). */
  readonly tAnchor: readonly number[] | null;
  readonly loss_anchor: number | null;
  readonly loss_student: number;
  readonly loss_diffusion: number;
  readonly grad_norm: number;
  readonly fake_grad_norm: number;
  readonly ms_student: number;
  readonly ms_fake: number;
  readonly ms_data: number;
  /** Time of the teacher's and the fake score's forward at z_{t_v} (the scores; included in ms_student). */
  readonly ms_teacher: number;
  readonly samples: readonly string[];
}

export type TrainEvent =
  | { readonly type: 'start'; readonly step: number; readonly steps: number; readonly runtime: string; readonly notes: readonly string[] }
  | ({ readonly type: 'step' } & StepRecord)
  | { readonly type: 'checkpoint'; readonly step: number; readonly dir: string }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'done'; readonly step: number; readonly modelDir: string };

export interface TrainOptions {
  /** Continue from the run's latest checkpoint. */
  readonly resume?: boolean;
  /** Stop after this many steps of this invocation (tests: simulate an interrupted run). */
  readonly stopAfter?: number;
  /** Do not write the final model directory. */
  readonly skipExport?: boolean;
}


function specWithoutTae(spec: ModelSpec): ModelSpec {
  const { tae: _tae, ...rest } = spec;
  return rest;
}

function batchTensor(images: readonly RgbImage[]): tf.Tensor4D {
  return tf.tidy(() => tf.concat(images.map((im) => imageToNchw(im)), 0) as tf.Tensor4D);
}

function toHost(vars: ReadonlyMap<string, tf.Variable>): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [k, v] of vars) out.set(k, { shape: v.shape, data: Float32Array.from(v.dataSync() as Float32Array) });
  return out;
}

function loadVars(vars: ReadonlyMap<string, tf.Variable>, from: ReadonlyMap<string, HostTensor>, where: string): void {
  const problems: string[] = [];
  for (const [k, v] of vars) {
    const t = from.get(k);
    if (!t) problems.push(`missing ${k}`);
    else if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) problems.push(`${k}: checkpoint [${t.shape.join(', ')}], model [${v.shape.join(', ')}]`);
  }
  if (problems.length) {
    throw new TrainError(`${where} does not fit this config's model (a checkpoint of another preset or LoRA rank?):\n  ${problems.slice(0, 5).join('\n  ')}${problems.length > 5 ? `\n  … ${problems.length - 5} more` : ''}`);
  }
  for (const [k, v] of vars) {
    const t = from.get(k)!;
    tf.tidy(() => v.assign(tf.tensor(t.data, [...t.shape])));
  }
}

/** Run the distillation as a stream of events (subscribe to start; unsubscribe to stop after the current step). */
export function train(cfg: TrainConfig, opts: TrainOptions = {}): Observable<TrainEvent> {
  return new Observable<TrainEvent>((sub) => {
    let stopped = false;
    runTraining(cfg, opts, (e) => sub.next(e), () => stopped)
      .then(() => sub.complete())
      .catch((err: unknown) => sub.error(err));
    return () => {
      stopped = true;
    };
  });
}

/**
 * The training loop; `emit` receives every event. Resolves when done. Holds `out/.lock` while it runs (a second
 * run on the same folder is refused), checks before any work that `out/model` can be written, and stops at the
 * first step whose loss or gradient is not finite (the last good checkpoint stays the latest).
 */
export async function runTraining(cfg: TrainConfig, opts: TrainOptions, emit: (e: TrainEvent) => void, stopped: () => boolean = () => false): Promise<void> {
  if (!opts.skipExport) checkModelDirTarget(join(cfg.out, 'model'));
  probeWritable(cfg.out, 'run folder');
  const release = acquireRunLock(cfg.out, 'tadsr train');
  try {
    checkRunDirTarget(cfg.out, opts.resume === true, 'tadsr train');
    await runTrainingLocked(cfg, opts, emit, stopped);
  } finally {
    release();
  }
}

async function runTrainingLocked(cfg: TrainConfig, opts: TrainOptions, emit: (e: TrainEvent) => void, stopped: () => boolean): Promise<void> {
  const runtime = await pickTfjsRuntime(cfg.runtime ? { runtime: cfg.runtime } : {});
  const ops = createTfjsNetOps({ heavy: cfg.heavyOps });

  let spec: ModelSpec;
  let teacherModel: Awaited<ReturnType<typeof readModelDir>> | undefined;
  if (cfg.teacher) {
    teacherModel = await readModelDir(cfg.teacher, { teacher: true });
    spec = teacherModel.manifest.spec;
  } else {
    spec = presetByName(cfg.preset!);
  }
  if (cfg.tae && !spec.tae) throw new TrainError('config asks for the time-aware encoder (tae: true) but the model spec has no "tae" section');
  const init = cfg.init ? await readInitWeights(cfg.init, spec, cfg.tae) : undefined;
  const weights = init?.weights ?? teacherModel?.weights ?? initParams(spec, cfg.seed);
  const teacherUnet = teacherModel?.teacherUnet ?? weights.unet;

  const ds = await HqDataset.open({
    dir: cfg.data.hq,
    patch: cfg.data.patch,
    seed: cfg.seed,
    bicubicFraction: cfg.data.bicubicFraction,
    ...(cfg.data.degradation ? { degradation: cfg.data.degradation } : {}),
    limit: cfg.data.limit,
  });

  const lpips = cfg.lpipsWeights ? await loadPerceptual(ops, cfg.lpipsWeights) : undefined;
  const perceptual = lpips?.fn;
  const guidance = cfg.prompt != null ? await trainingGuidance(teacherModel, cfg.prompt, cfg.negativePrompt) : undefined;
  const onnxTeacher = cfg.teacherBackend === 'onnx'
    ? await createOnnxBackend(spec, { unet: teacherUnet, vae: weights.vae }, { device: 'cpu', teacherUnet, sessionConfig: { 'session.intra_op.allow_spinning': '0' } })
    : undefined;
  const nets = new DistillNets(ops, { spec, weights, teacherUnet, tae: cfg.tae, loraRank: cfg.loraRank, loraAlpha: cfg.loraAlpha, seed: cfg.seed, fakeLoraConvIn: cfg.fakeLoraConvIn });
  const optS = new AdamW(nets.studentVars, { lr: cfg.lr, weightDecay: cfg.weightDecay, maxGradNorm: cfg.maxGradNorm });
  const optF = new AdamW(nets.fakeVars, { lr: cfg.fakeLr, weightDecay: cfg.weightDecay, maxGradNorm: cfg.maxGradNorm });
  const fingerprint = JSON.stringify({ spec, tae: cfg.tae, loraRank: cfg.loraRank, patch: cfg.data.patch, ...(init ? { init: init.sha256 } : {}) });

  try {
    await mkdir(cfg.out, { recursive: true });
    const logPath = join(cfg.out, 'log.jsonl');
    let step = 0;
    let lastCheckpoint: string | undefined;
    if (opts.resume) {
      const ck = await readLatestCheckpoint(cfg.out, ['student', 'fake', 'opt-student', 'opt-fake']);
      if (!ck) throw new TrainError(`--resume: no checkpoint in ${join(cfg.out, 'checkpoints')} (start without --resume)`);
      for (const s of ck.skipped) emit({ type: 'warning', message: `passed over a checkpoint that cannot be read: ${s.message}` });
      lastCheckpoint = ck.dir;
      const fakeConvIn = 'fake.conv_in.lora_A.weight';
      if (ck.groups['fake']!.has(fakeConvIn) !== nets.fakeVars.has(fakeConvIn)) {
        const had = ck.groups['fake']!.has(fakeConvIn);
        throw new TrainError(`--resume: ${ck.dir} was written ${had ? 'with' : 'without'} the fake score's conv_in LoRA; set "fakeLoraConvIn": ${had} in the config to continue that run`);
      }
      if (ck.state['fingerprint'] !== fingerprint) {
        throw new TrainError(`--resume: ${ck.dir} was written with another model/config (preset, tae, LoRA rank, patch or the init's weights differ); use a new "out" directory or the original config`);
      }
      loadVars(nets.studentVars, ck.groups['student']!, ck.dir);
      loadVars(nets.fakeVars, ck.groups['fake']!, ck.dir);
      optS.load(ck.groups['opt-student']!);
      optF.load(ck.groups['opt-fake']!);
      step = ck.state.step;
    }

    const notes = [
      guidance
        ? `text condition: teacher CFG on "${cfg.prompt}" vs "${cfg.negativePrompt}" (the teacher's text encoder), scale 7.5 + t_v/200 per sample; student and fake score: fixed all-zero embedding`
        : 'text condition: fixed all-zero embedding (no prompt); teacher CFG is an identity and skipped',
      `teacher: ${onnxTeacher ? onnxTeacher.info.runtime : 'TF.js (the distillation nets)'}`,
      `one-step formula: ${cfg.formula}; tae: ${cfg.tae}; ${cfg.tavsd ? `TAVSD t_v = ${cfg.timeMapping.lambda}·t_s + ${cfg.timeMapping.gamma}` : 'plain VSD, t_v ~ U[20, 980)'}`,
      `timesteps ${cfg.timesteps}; SR clamped to [−1, 1]: ${cfg.clampSr}; encoder: ${cfg.encoderSample && nets.samplesPosterior ? 'posterior sample' : nets.samplesPosterior ? 'posterior mean' : 'deterministic (no posterior)'}; fake-score LoRA on conv_in: ${cfg.fakeLoraConvIn}`,
      cfg.lpipsWeights ? `LPIPS weights: ${cfg.lpipsWeights}` : 'no LPIPS weights given: perceptual term off',
      ...(cfg.init ? [`student start: ${cfg.init}; t_s from the official values in [${cfg.tsRange.min}, ${cfg.tsRange.max}]`] : []),
      ...(cfg.anchor.weight > 0 ? [`anchor: ${cfg.anchor.weight}·MSE(ẑ, the start's ẑ) at t_s ≤ ${cfg.anchor.maxTs}`] : []),
    ];
    emit({ type: 'start', step, steps: cfg.steps, runtime: `${runtime.detail}; heavy ops: ${cfg.heavyOps}`, notes });

    const context = { count: 0 };
    const reported = new Set<string>();
    while (step < cfg.steps && !stopped() && (opts.stopAfter === undefined || context.count < opts.stopAfter)) {
      const rec = await trainStep(cfg, nets, optS, optF, ds, step, { ...(onnxTeacher ? { teacher: onnxTeacher } : {}), ...(guidance ? { guidance } : {}) }, perceptual);
      const { loss_mse, loss_lpips, loss_tavsd, loss_anchor, loss_student, loss_diffusion, grad_norm, fake_grad_norm } = rec;
      assertFiniteStep(rec.step, { loss_mse, loss_lpips, loss_tavsd, loss_anchor, loss_student, loss_diffusion, grad_norm, fake_grad_norm }, lastCheckpoint);
      for (const [path, why] of ds.skipped) {
        if (reported.has(path)) continue;
        reported.add(path);
        emit({ type: 'warning', message: `skipped unreadable image ${path}: ${why}` });
      }
      await appendJsonl(logPath, rec as unknown as Record<string, unknown>);
      step++;
      context.count++;
      emit({ type: 'step', ...rec });
      if (step % cfg.checkpointEvery === 0 || step === cfg.steps) {
        const dir = await writeCheckpoint(
          cfg.out,
          step,
          { student: toHost(nets.studentVars), fake: toHost(nets.fakeVars), 'opt-student': optS.state(), 'opt-fake': optF.state() },
          { fingerprint, seed: cfg.seed },
        );
        lastCheckpoint = dir;
        emit({ type: 'checkpoint', step, dir });
      }
    }
    if (step >= cfg.steps && !opts.skipExport) {
      const modelDir = join(cfg.out, 'model');
      const outSpec = cfg.tae ? spec : specWithoutTae(spec);
      await writeModelDir(modelDir, outSpec, nets.mergedStudent(), {
        ...(teacherModel?.manifest.preset ? { preset: teacherModel.manifest.preset } : cfg.preset ? { preset: cfg.preset } : {}),
        formula: cfg.formula,
        provenance: { source: 'tadsr train', steps: step, seed: cfg.seed, tae: cfg.tae, tavsd: cfg.tavsd, teacher: cfg.teacher ?? `untrained ${cfg.preset}`, ...(cfg.init ? { init: cfg.init } : {}) },
      });
      emit({ type: 'done', step, modelDir });
    }
  } finally {
    optS.dispose();
    optF.dispose();
    nets.dispose();
    await onnxTeacher?.dispose();
    lpips?.dispose();
  }
}

/** Where `trainStep` gets the teacher's score. */
export interface StepScorers {
  /** Backend of the frozen teacher (`teacherUnet`): e.g. ONNX Runtime; default: the nets' own TF.js teacher. */
  readonly teacher?: Backend;
  /** CFG of the teacher: the prompt's and the negative prompt's embeddings; absent: the fixed condition, no CFG. */
  readonly guidance?: Guidance;
}

/**
 * One distillation step (student update, then fake-score update). Deterministic in (cfg.seed, step). Exported so a
 * test can drive one step with its own (instrumented) nets and optimizers and check it against a reference.
 *
 * Per sample i of the batch (official; `timesteps: "per-batch"` gives every sample the same draws):
 * z_L = E(x_i, t_s,i) (a posterior sample with `encoderSample`), ẑ = a(t_s,i)·z_L + b(t_s,i)·ε, SR = clamp(D(ẑ))
 * (`clampSr`), blurred MSE with sample i's kernel, TAVSD at t_v,i, the fake score's loss at its own t_i.
 *
 * The scores at z_{t_v} come from the `score` operator's plan (teacher: `scorers.teacher`, CFG with
 * `scorers.guidance`; fake: the nets as a backend): inside the tape when both answer synchronously (the TF.js
 * teacher, the ONNX teacher on the CPU), else awaited on ẑ computed without a tape, the gradient step then
 * recomputing ẑ on the tape with the scores as constants — one extra student forward (encoder + UNet) per step.
 */
export async function trainStep(cfg: TrainConfig, nets: DistillNets, optS: AdamW, optF: AdamW, ds: HqDataset, step: number, scorers: StepScorers = {}, perceptual?: Perceptual): Promise<StepRecord> {
  const t0 = performance.now();
  const B = cfg.data.batch;
  const ts = drawTimesteps({ seed: cfg.seed, batch: B, timesteps: cfg.timesteps, tavsd: cfg.tavsd, timeMapping: cfg.timeMapping, fixedTs: cfg.debug?.fixedTs ?? undefined, tsRange: cfg.tsRange }, step);
  const samples = [];
  for (let j = 0; j < B; j++) samples.push(await ds.sample(cfg.debug?.fixedBatch ? j : step * B + j));
  const x = batchTensor(samples.map((s) => bicubicUpsample(s.lq, 4)));
  const hq = batchTensor(samples.map((s) => s.hq));
  const t1 = performance.now();

  const sched = scheduleOf(nets.spec);
  const facts = modelFacts(nets.spec);
  const zc = oneStepCoefficientsPerSample(cfg.formula, ts.tS, sched);
  const useVsd = cfg.weights.tavsd > 0;
  const terms: { mse?: tf.Scalar; tavsd?: tf.Scalar; lpips?: tf.Scalar; anchor?: tf.Scalar } = {};
  let teacherMs = 0;
  const latentNoise = (purpose: string, shape: readonly number[]): tf.Tensor => {
    const n = new Float32Array(shape.reduce((p, q) => p * q, 1));
    Rng.forImage(cfg.seed, `step-${step}`, purpose).fillNormal(n);
    return tf.tensor(n, [...shape]);
  };
  const host = (t: tf.Tensor): HostTensor => ({ shape: t.shape, data: Float32Array.from(t.dataSync() as Float32Array) });
  const encNoise = cfg.encoderSample && nets.samplesPosterior ? latentNoise('encoder-noise', nets.latentShape(x.shape)) : undefined;
  /** ẑ of the batch: encoder at t_s, student UNet at t_s, the one-step formula. */
  const studentZHat = (): tf.Tensor4D => {
    const zL = nets.encode(x, ts.tS, encNoise);
    const eps = nets.studentEps(zL, ts.tS);
    return linearPerSample(zc, zL, eps) as tf.Tensor4D;
  };

  // The scores at z_{t_v} = α_v·sg(ẑ) + σ_v·n, through the backends: the teacher's and the fake score's.
  const fakeBackend = distillScoreBackend(nets);
  const teacher = scorers.teacher ?? fakeBackend;
  const scoreOpts: ScoreOptions = { fake: fakeBackend, ...(scorers.guidance ? { guidance: scorers.guidance } : {}) };
  let zHatHost: HostTensor | undefined;
  let x0T: tf.Tensor4D | undefined;
  let x0F: tf.Tensor4D | undefined;
  let tt0 = 0;
  const noisedAtTv = (zHat: HostTensor): HostTensor => {
    const n = new Float32Array(zHat.data.length);
    Rng.forImage(cfg.seed, `step-${step}`, 'vsd-noise').fillNormal(n);
    const out = noiseLatentsAt(zHat, ts.tV, n, sched);
    tt0 = performance.now();
    return out;
  };
  const keepScores = (sc: WithScores): void => {
    teacherMs = performance.now() - tt0;
    x0T = tf.keep(tf.tensor4d(sc.x0Teacher.data, sc.x0Teacher.shape as [number, number, number, number]));
    x0F = tf.keep(tf.tensor4d(sc.x0Fake.data, sc.x0Fake.shape as [number, number, number, number]));
  };
  const inTape = canScoreSync(teacher, scoreOpts);
  if (useVsd && !inTape) {
    // an asynchronous teacher: ẑ first (no tape), the scores, then ẑ again on the tape below
    const zHat0 = tf.tidy(studentZHat);
    zHatHost = host(zHat0);
    zHat0.dispose();
    keepScores(await scoresAt(teacher, facts, noisedAtTv(zHatHost), ts.tV, scoreOpts));
  }

  // The anchor: the start's ẑ at a low t_s per sample (frozen, no tape), which the student's ẑ there is held to.
  const anchor = cfg.anchor.weight > 0 ? (() => {
    const tA = drawAnchorTimesteps(cfg.seed, step, B, cfg.anchor.maxTs);
    const c = oneStepCoefficientsPerSample(cfg.formula, tA, sched);
    const target = tf.tidy(() => {
      const zL = nets.encode(x, tA, undefined, 'start');
      return linearPerSample(c, zL, nets.studentEps(zL, tA, 'start'));
    });
    return { tA, c, target };
  })() : undefined;

  const studentVars = [...nets.studentVars.values()];
  const { value, grads } = tf.variableGrads(() => {
    const zHat = studentZHat();
    const decoded = nets.decode(zHat) as tf.Tensor4D;
    const sr = cfg.clampSr ? tf.clipByValue(decoded, -1, 1) : decoded;
    const mse = blurredMse(sr, hq, ts.tS);
    terms.mse = tf.keep(mse);
    let total: tf.Scalar = tf.mul(mse, cfg.weights.mse);
    if (perceptual && cfg.weights.lpips > 0) {
      const lp = perceptual(sr, hq);
      terms.lpips = tf.keep(lp);
      total = tf.add(total, tf.mul(lp, cfg.weights.lpips));
    }
    if (zHatHost === undefined) zHatHost = host(zHat);
    if (useVsd) {
      if (inTape) keepScores(scoresAtSync(teacher, facts, noisedAtTv(zHatHost), ts.tV, scoreOpts));
      const tv = tavsdLoss(zHat, x0T!, x0F!);
      terms.tavsd = tf.keep(tv);
      total = tf.add(total, tf.mul(tv, cfg.weights.tavsd));
    }
    if (anchor) {
      const zL = nets.encode(x, anchor.tA);
      const held = tf.losses.meanSquaredError(anchor.target, linearPerSample(anchor.c, zL, nets.studentEps(zL, anchor.tA))) as tf.Scalar;
      terms.anchor = tf.keep(held);
      total = tf.add(total, tf.mul(held, cfg.anchor.weight));
    }
    return total;
  }, studentVars);
  const byKey: Record<string, tf.Tensor> = {};
  for (const [k, v] of nets.studentVars) if (grads[v.name]) byKey[k] = grads[v.name]!;
  const gradNorm = optS.apply(byKey);
  const lossStudent = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads), ...(anchor ? [anchor.target] : []), ...(x0T ? [x0T] : []), ...(x0F ? [x0F] : []), ...(encNoise ? [encNoise] : [])]);
  const t2 = performance.now();

  // Fake score: diffusion loss on sg(ẑ) at its own t per sample (the fakeScore operator's update).
  const fake = await updateFakeScore(fakeScoreTrainer(nets, optF), facts, zHatHost!, ts.tFake, { seed: cfg.seed, id: `step-${step}` });
  tf.dispose([x, hq]);
  const t3 = performance.now();

  const rec: StepRecord = {
    step: step + 1,
    tS: ts.tS,
    tV: useVsd ? ts.tV : null,
    tFake: ts.tFake,
    loss_mse: terms.mse!.dataSync()[0]!,
    loss_lpips: terms.lpips ? terms.lpips.dataSync()[0]! : null,
    loss_tavsd: terms.tavsd ? terms.tavsd.dataSync()[0]! : null,
    tAnchor: anchor ? anchor.tA : null,
    loss_anchor: terms.anchor ? terms.anchor.dataSync()[0]! : null,
    loss_student: lossStudent,
    loss_diffusion: fake.loss,
    grad_norm: gradNorm,
    fake_grad_norm: fake.gradNorm,
    ms_data: Math.round(t1 - t0),
    ms_student: Math.round(t2 - t1),
    ms_fake: Math.round(t3 - t2),
    ms_teacher: Math.round(teacherMs),
    samples: samples.map((s) => s.id),
  };
  tf.dispose([terms.mse!, ...(terms.tavsd ? [terms.tavsd] : []), ...(terms.lpips ? [terms.lpips] : []), ...(terms.anchor ? [terms.anchor] : [])]);
  return rec;
}
