/**
 * The distillation config (`tadsr train --config F`), JSON validated by ajv with defaults filled in and messages
 * that name the bad key. Relative paths are resolved against the config file's directory.
 *
 * ```json
 * { "teacher": "models/teacher-small", "data": { "hq": "/data/hq", "patch": 256 }, "out": "runs/small",
 *   "steps": 2000, "lr": 5e-5, "weights": { "mse": 1, "lpips": 2, "tavsd": 1 } }
 * ```
 *
 * Ablations: `"tae": false` (the plain encoder, no time layers trained), `"tavsd": false` (plain VSD: t_v drawn
 * uniformly from [20, 980) as the official baseline instead of λ·t_s + γ).
 *
 * Official behaviours, each switchable back to what tadsr did before it had them (docs/deviations.md lists every
 * remaining difference from the authors' code): `"timesteps": "per-sample"` (t_s, t_v and the fake-score t drawn
 * per sample; `"per-batch"`: one of each per step), `"clampSr": true` (the decoded SR clamped to [−1, 1] before
 * the losses), `"encoderSample": true` (the student encodes a posterior sample; a TAESD-family encoder has none),
 * `"fakeLoraConvIn": true` (the fake score's LoRA wraps `conv_in`; false: the variable set of older checkpoints).
 */
import { Ajv, type SchemaObject } from 'ajv';
import { dirname, resolve } from 'node:path';
import { ConfigError, readJsonConfig, resolveAgainst, validateConfig } from './config-json.js';

export { ConfigError, describeAjvErrors } from './config-json.js';
import type { OneStepFormula } from '../schedule/one-step.js';

export interface TrainConfig {
  /** Teacher model directory (its `teacher-unet` or `unet` is the frozen teacher, its VAE the start). */
  teacher?: string;
  /** Or an untrained preset (tests, smoke runs). Exactly one of `teacher` / `preset`. */
  preset?: string;
  data: {
    /** Folder of HQ images (read by path, never copied). */
    hq: string;
    /** HQ patch side (the degradation's gt_size); LQ is patch/4. */
    patch: number;
    batch: number;
    /** Fraction of samples with a plain bicubic ×4 LQ instead of the Real-ESRGAN pipeline (official 0.01). */
    bicubicFraction: number;
    /** Degradation config overrides (see src/degradation/config.ts). */
    degradation?: Record<string, unknown>;
    /** Use at most this many images (0: all). */
    limit: number;
  };
  /** Run directory: checkpoints/, log.jsonl, model/ (the final model). */
  out: string;
  steps: number;
  seed: number;
  lr: number;
  fakeLr: number;
  weightDecay: number;
  maxGradNorm: number;
  loraRank: number;
  loraAlpha: number;
  weights: { mse: number; lpips: number; tavsd: number };
  /**
   * Perceptual-loss weights (safetensors) by path: ST-LPIPS AlexNet/VGG (models/stlpips, tools/convert_stlpips.py) or
   * LPIPS-VGG (tools/convert_lpips.py), told apart by the file; absent: no perceptual term.
   */
  lpipsWeights?: string;
  timeMapping: { lambda: number; gamma: number };
  formula: OneStepFormula;
  /** Ablation: false = plain VAE encoder (no time embedding). */
  tae: boolean;
  /** Ablation: false = plain VSD, t_v uniform in [20, 980). */
  tavsd: boolean;
  /** `per-sample` (official): t_s, t_v and the fake-score t drawn for each sample; `per-batch`: one per step. */
  timesteps: 'per-sample' | 'per-batch';
  /** Clamp the decoded SR to [−1, 1] before the losses (official). */
  clampSr: boolean;
  /** The student encodes a sample of its posterior (official; no effect on a deterministic TAESD encoder). */
  encoderSample: boolean;
  /** The fake score's LoRA also wraps the UNet's `conv_in` (official). False: checkpoints written before it. */
  fakeLoraConvIn: boolean;
  checkpointEvery: number;
  /** Where the frozen teacher runs: TF.js beside the student, or ONNX Runtime. */
  teacherBackend: 'tfjs' | 'onnx';
  /** Where heavy ops (conv, matmul, attention, group norm) run: ONNX Runtime kernels or TF.js built-ins. */
  heavyOps: 'ort' | 'tfjs';
  /** Force a TF.js runtime (default: the fastest present; env TADSR_TFJS_RUNTIME also forces one). */
  runtime?: 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
  /** Debugging switches: reuse sample 0 every step (overfit check); fix t_s. */
  debug?: { fixedBatch?: boolean; fixedTs?: number };
}

const schema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['data', 'out'],
  properties: {
    teacher: { type: 'string', nullable: true, minLength: 1 },
    preset: { type: 'string', nullable: true, enum: ['tiny', 'small', 'small-taef2', 'sd21-base'] },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['hq'],
      properties: {
        hq: { type: 'string', minLength: 1 },
        patch: { type: 'integer', minimum: 16, maximum: 2048, default: 512 },
        batch: { type: 'integer', minimum: 1, maximum: 64, default: 1 },
        bicubicFraction: { type: 'number', minimum: 0, maximum: 1, default: 0.01 },
        degradation: { type: 'object', nullable: true, required: [] },
        limit: { type: 'integer', minimum: 0, default: 0 },
      },
    },
    out: { type: 'string', minLength: 1 },
    steps: { type: 'integer', minimum: 1, default: 2000 },
    seed: { type: 'integer', minimum: 0, default: 0 },
    lr: { type: 'number', exclusiveMinimum: 0, default: 5e-5 },
    fakeLr: { type: 'number', exclusiveMinimum: 0, default: 5e-5 },
    weightDecay: { type: 'number', minimum: 0, default: 0.01 },
    maxGradNorm: { type: 'number', minimum: 0, default: 1 },
    loraRank: { type: 'integer', minimum: 1, maximum: 256, default: 4 },
    loraAlpha: { type: 'number', exclusiveMinimum: 0, default: 8 },
    weights: {
      type: 'object',
      additionalProperties: false,
      required: [],
      default: {},
      properties: {
        mse: { type: 'number', minimum: 0, default: 1 },
        lpips: { type: 'number', minimum: 0, default: 2 },
        tavsd: { type: 'number', minimum: 0, default: 1 },
      },
    },
    lpipsWeights: { type: 'string', nullable: true, minLength: 1 },
    timeMapping: {
      type: 'object',
      additionalProperties: false,
      required: [],
      default: {},
      properties: { lambda: { type: 'number', default: 0.5 }, gamma: { type: 'number', default: 0 } },
    },
    formula: { type: 'string', enum: ['ddpm-x0', 'official'], default: 'ddpm-x0' },
    tae: { type: 'boolean', default: true },
    tavsd: { type: 'boolean', default: true },
    timesteps: { type: 'string', enum: ['per-sample', 'per-batch'], default: 'per-sample' },
    clampSr: { type: 'boolean', default: true },
    encoderSample: { type: 'boolean', default: true },
    fakeLoraConvIn: { type: 'boolean', default: true },
    checkpointEvery: { type: 'integer', minimum: 1, default: 100 },
    teacherBackend: { type: 'string', enum: ['tfjs', 'onnx'], default: 'tfjs' },
    heavyOps: { type: 'string', enum: ['ort', 'tfjs'], default: 'ort' },
    runtime: { type: 'string', nullable: true, enum: ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] },
    debug: {
      type: 'object',
      nullable: true,
      additionalProperties: false,
      required: [],
      properties: { fixedBatch: { type: 'boolean', nullable: true }, fixedTs: { type: 'integer', minimum: 0, maximum: 999, nullable: true } },
    },
  },
};

const ajv = new Ajv({ useDefaults: true, allErrors: true });
const validate = ajv.compile<TrainConfig>(schema);

/** Validate (and fill defaults of) a config object. `base` resolves relative paths. */
export function parseTrainConfig(input: unknown, source = 'training config', base = process.cwd()): TrainConfig {
  const cfg = validateConfig(validate, input, source);
  if ((cfg.teacher === undefined) === (cfg.preset === undefined)) {
    throw new ConfigError(`${source} is invalid:\n  give exactly one of "teacher" (a model directory) or "preset" (an untrained preset)`);
  }
  if (cfg.data.patch % 4 !== 0) throw new ConfigError(`${source} is invalid:\n  data.patch: must be a multiple of 4 (the LQ is patch/4)`);
  const abs = resolveAgainst(base);
  return {
    ...cfg,
    out: abs(cfg.out),
    data: { ...cfg.data, hq: abs(cfg.data.hq) },
    ...(cfg.teacher ? { teacher: abs(cfg.teacher) } : {}),
    ...(cfg.lpipsWeights ? { lpipsWeights: abs(cfg.lpipsWeights) } : {}),
  };
}

/** Command-line values that replace the file's (seed sweeps, shorter runs): validated like the file's own. */
export interface TrainConfigOverrides {
  readonly seed?: number | undefined;
  readonly steps?: number | undefined;
  /** Resolved against the working directory, not the config's folder. */
  readonly out?: string | undefined;
}

/** Read and validate a config file, with `overrides` applied before validation. */
export async function loadTrainConfig(path: string, overrides: TrainConfigOverrides = {}): Promise<TrainConfig> {
  // Command-line values are checked as such, so a bad one is not blamed on the file.
  for (const [flag, v, min] of [['--seed', overrides.seed, 0], ['--steps', overrides.steps, 1]] as const) {
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= min)) throw new ConfigError(`${flag} must be an integer ≥ ${min}, got ${String(v)}`);
  }
  if (overrides.out !== undefined && overrides.out.trim() === '') throw new ConfigError('--out must name a folder');
  const json = await readJsonConfig(path, 'training config');
  const merged = json !== null && typeof json === 'object' && !Array.isArray(json)
    ? {
        ...(json as Record<string, unknown>),
        ...(overrides.seed !== undefined ? { seed: overrides.seed } : {}),
        ...(overrides.steps !== undefined ? { steps: overrides.steps } : {}),
        ...(overrides.out !== undefined ? { out: resolve(overrides.out) } : {}),
      }
    : json;
  return parseTrainConfig(merged, path, dirname(resolve(path)));
}
