/**
 * The teacher pre-training config (`tadsr pretrain --config F`), validated by ajv (defaults filled, messages name
 * the bad key). For presets without pretrained SD weights (`tiny`, `small`): stage 1 trains the VAE on HQ patches
 * (L1 + a small KL, optionally LPIPS), stage 2 the latent-diffusion UNet (ε-prediction, SD's schedule) on the
 * frozen VAE's latents. `sd21-base` takes diffusers' SD 2.1-base weights instead: give `init.unet` and
 * `init.vae` (the diffusers safetensors files, by path) and set the stage steps to 0 to only convert them.
 *
 * ```json
 * { "preset": "small", "data": { "hq": "/data/hq", "patch": 128 }, "out": "runs/teacher",
 *   "vae": { "steps": 20000 }, "unet": { "steps": 50000 } }
 * ```
 */
import { Ajv } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import { dirname, resolve } from 'node:path';
import { ConfigError, readJsonConfig, resolveAgainst, validateConfig } from './config-json.js';

/**
 * The JSON Schema of the pre-training config. {@link PretrainConfig} is derived from it (json-schema-to-ts), so the
 * type and what ajv accepts cannot drift apart; keys with a `default` are always present after validation.
 */
export const pretrainConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['preset', 'data', 'out'],
  properties: {
    preset: { type: 'string', enum: ['tiny', 'small', 'small-taef2', 'sd21-base'] },
    /** A ModelSpec JSON file (path) used instead of the preset's spec, e.g. a shipped model's own sizes. */
    spec: { type: 'string', minLength: 1 },
    /** Start from these weights (diffusers safetensors) instead of a fresh initialisation. */
    init: {
      type: 'object',
      additionalProperties: false,
      required: [],
      properties: { unet: { type: 'string', minLength: 1 }, vae: { type: 'string', minLength: 1 } },
    },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['hq'],
      properties: {
        hq: { type: 'string', minLength: 1 },
        patch: { type: 'integer', minimum: 16, maximum: 2048, default: 128 },
        batch: { type: 'integer', minimum: 1, maximum: 256, default: 4 },
        limit: { type: 'integer', minimum: 0, default: 0 },
      },
    },
    out: { type: 'string', minLength: 1 },
    seed: { type: 'integer', minimum: 0, default: 0 },
    /**
     * `train`: `"all"` trains encoder and decoder; `"decoder"` freezes the encoder (and with it the latent space a
     * teacher UNet was trained on) and fine-tunes only `decoder.*` and `post_quant_conv.*`, as SD's ft-MSE VAE did.
     * `lpipsWeight` > 0 adds LPIPS(x̂, x) (ST-LPIPS or LPIPS-VGG, by the file) and needs `lpipsWeights`.
     */
    vae: {
      type: 'object',
      additionalProperties: false,
      required: [],
      default: {},
      properties: {
        steps: { type: 'integer', minimum: 0, default: 1000 },
        lr: { type: 'number', exclusiveMinimum: 0, default: 1e-4 },
        klWeight: { type: 'number', minimum: 0, default: 1e-6 },
        lpipsWeight: { type: 'number', minimum: 0, default: 0 },
        train: { type: 'string', enum: ['all', 'decoder'], default: 'all' },
      },
    },
    unet: {
      type: 'object',
      additionalProperties: false,
      required: [],
      default: {},
      properties: {
        steps: { type: 'integer', minimum: 0, default: 1000 },
        lr: { type: 'number', exclusiveMinimum: 0, default: 1e-4 },
      },
    },
    weightDecay: { type: 'number', minimum: 0, default: 0.01 },
    maxGradNorm: { type: 'number', minimum: 0, default: 1 },
    checkpointEvery: { type: 'integer', minimum: 1, default: 500 },
    lpipsWeights: { type: 'string', minLength: 1 },
    heavyOps: { type: 'string', enum: ['ort', 'tfjs'], default: 'ort' },
    runtime: { type: 'string', enum: ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] },
  },
} as const;

/** A validated pre-training config (defaults filled): the type of what {@link pretrainConfigSchema} accepts. */
export type PretrainConfig = FromSchema<typeof pretrainConfigSchema>;

const validate = new Ajv({ useDefaults: true, allErrors: true }).compile<PretrainConfig>(pretrainConfigSchema);

/** Validate (and fill defaults of) a pre-training config. */
export function parsePretrainConfig(input: unknown, source = 'pre-training config', base = process.cwd()): PretrainConfig {
  const cfg = validateConfig(validate, input, source);
  if (cfg.vae.lpipsWeight > 0 && !cfg.lpipsWeights) {
    throw new ConfigError(`${source}: vae.lpipsWeight is ${cfg.vae.lpipsWeight} but no "lpipsWeights" file is given (models/stlpips/alex_shift_tolerant.f16.safetensors, or convert one with tools/convert_stlpips.py)`);
  }
  const abs = resolveAgainst(base);
  return {
    ...cfg,
    out: abs(cfg.out),
    data: { ...cfg.data, hq: abs(cfg.data.hq) },
    ...(cfg.spec ? { spec: abs(cfg.spec) } : {}),
    ...(cfg.init ? { init: { ...(cfg.init.unet ? { unet: abs(cfg.init.unet) } : {}), ...(cfg.init.vae ? { vae: abs(cfg.init.vae) } : {}) } } : {}),
    ...(cfg.lpipsWeights ? { lpipsWeights: abs(cfg.lpipsWeights) } : {}),
  };
}

/** Read and validate a pre-training config file. */
export async function loadPretrainConfig(path: string): Promise<PretrainConfig> {
  return parsePretrainConfig(await readJsonConfig(path, 'pre-training config'), path, dirname(resolve(path)));
}
