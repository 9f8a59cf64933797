/**
 * The distillation config (`tadsr train --config F`), JSON validated by ajv with defaults filled in and messages
 * that name the bad key. Relative paths are resolved against the config file's directory.
 *
 * ```json
 * { "teacher": "models/teacher-small", "data": { "hq": "/data/hq", "patch": 256 }, "out": "runs/small",
 *   "steps": 2000, "lr": 5e-5, "weights": { "mse": 1, "lpips": 2, "tavsd": 1 } }
 * ```
 *
 * Fine-tuning: `"init": "models/default"` starts the student from that model's UNet and encoder (same spec as the
 * teacher; the teacher and the fake score's base stay the `teacher`'s); `"tsRange": { "min": 500, "max": 999 }`
 * draws t_s only from the official values in that range (default: all 50); `"anchor": { "weight": 1, "maxTs": 300 }`
 * adds weight·MSE between the student's ẑ and its start's ẑ (the init, frozen) at a second t_s per sample drawn
 * from the official values ≤ maxTs, so training one end of the dial keeps the other where it was.
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
import { Ajv } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import { dirname, resolve } from 'node:path';
import { OFFICIAL_TS } from '../schedule/timesteps.js';
import { ConfigError, readJsonConfig, resolveAgainst, validateConfig } from './config-json.js';

export { ConfigError, describeAjvErrors } from './config-json.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['data', 'out'],
  properties: {
    teacher: { type: 'string', nullable: true, minLength: 1 },
    init: { type: 'string', nullable: true, minLength: 1 },
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
    tsRange: {
      type: 'object',
      additionalProperties: false,
      required: [],
      default: {},
      properties: { min: { type: 'integer', minimum: 0, maximum: 999, default: 0 }, max: { type: 'integer', minimum: 0, maximum: 999, default: 999 } },
    },
    anchor: {
      type: 'object',
      additionalProperties: false,
      required: [],
      default: {},
      properties: { weight: { type: 'number', minimum: 0, default: 0 }, maxTs: { type: 'integer', minimum: 1, maximum: 999, default: 300 } },
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
    prompt: { type: 'string', nullable: true },
    negativePrompt: { type: 'string', default: '' },
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
} as const;

/**
 * A validated distillation config (defaults filled), derived from the schema above (json-schema-to-ts) so the two
 * cannot drift. Keys: `teacher` (model directory: its teacher UNet is frozen, its VAE the start) or `preset`
 * (untrained, tests), exactly one; `init` (a model directory: the student's start instead of the teacher's
 * weights); `tsRange` (t_s drawn from the official values in [min, max]); `anchor` (keep the start's ẑ at
 * t_s ≤ maxTs); `data` (`hq` folder read by path, `patch` HQ side, `batch`, `bicubicFraction` of plain-bicubic LQ,
 * `degradation` overrides, `limit`); `out` run directory; optimiser (`lr`, `fakeLr`, `weightDecay`, `maxGradNorm`), LoRA (`loraRank`, `loraAlpha`), loss `weights`, `lpipsWeights` by path,
 * `timeMapping` (t_v = λ·t_s + γ), `formula`, ablations `tae` / `tavsd`, `checkpointEvery`, `teacherBackend`,
 * `prompt` / `negativePrompt` (the teacher's CFG: a teacher model with a text encoder; null, the default: the
 * fixed condition, no CFG), `heavyOps`, `runtime`, `debug`.
 */
export type TrainConfig = FromSchema<typeof schema>;

/** The JSON Schema of {@link TrainConfig}. */
export const trainConfigSchema = schema;

const ajv = new Ajv({ useDefaults: true, allErrors: true });
const validate = ajv.compile<TrainConfig>(schema);

/** Validate (and fill defaults of) a config object. `base` resolves relative paths. */
export function parseTrainConfig(input: unknown, source = 'training config', base = process.cwd()): TrainConfig {
  const cfg = validateConfig(validate, input, source);
  if ((cfg.teacher === undefined) === (cfg.preset === undefined)) {
    throw new ConfigError(`${source} is invalid:\n  give exactly one of "teacher" (a model directory) or "preset" (an untrained preset)`);
  }
  if (cfg.init != null && !cfg.teacher) throw new ConfigError(`${source} is invalid:\n  "init" needs a "teacher" (the frozen teacher of the fine-tuned student)`);
  if (!OFFICIAL_TS.some((t) => t >= cfg.tsRange.min && t <= cfg.tsRange.max)) {
    throw new ConfigError(`${source} is invalid:\n  tsRange: no training t_s (1, 21, 41, …, 999) lies in [${cfg.tsRange.min}, ${cfg.tsRange.max}]`);
  }
  if (cfg.data.patch % 4 !== 0) throw new ConfigError(`${source} is invalid:\n  data.patch: must be a multiple of 4 (the LQ is patch/4)`);
  const abs = resolveAgainst(base);
  return {
    ...cfg,
    out: abs(cfg.out),
    data: { ...cfg.data, hq: abs(cfg.data.hq) },
    ...(cfg.teacher ? { teacher: abs(cfg.teacher) } : {}),
    ...(cfg.lpipsWeights ? { lpipsWeights: abs(cfg.lpipsWeights) } : {}),
    ...(cfg.init ? { init: abs(cfg.init) } : {}),
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
