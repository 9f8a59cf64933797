/**
 * A tadsr model directory — what `tadsr upscale --model DIR` loads and what `tadsr pretrain` / `tadsr train` /
 * `tools/export_checkpoint.py` / `tadsr init-model` write:
 *
 * ```
 * DIR/model.json          { format: "tadsr-model", version: 1, preset?, spec: ModelSpec, formula, colorFix, defaultTs,
 *                           textCondition, provenance, files: { unet, vae, teacherUnet? } }
 * DIR/unet.safetensors    the student UNet, LoRA merged, diffusers parameter names
 * DIR/vae.safetensors     the VAE (+ the time-aware encoder's time layers), diffusers names
 * DIR/teacher-unet.safetensors   optional: the frozen teacher UNet (needed to distil, not to infer)
 * DIR/text-encoder.safetensors    with `spec.text`: SD's CLIPTextModel (transformers names, `text_model.…`)
 * DIR/tokenizer/                  with `spec.text`: SD's tokenizer folder (vocab.json, merges.txt, …)
 * ```
 *
 * ```ts
 * const m = await readModelDir('models/default');
 * m.manifest.formula;            // 'ddpm-x0' | 'official'
 * await initModelDir('tmp/tiny', 'tiny', { seed: 0 });
 * ```
 */
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ColorFixMode } from '../color/color-fix.js';
import { type ModelWeights, initParams, paramShapes, unetParamShapes, vaeParamShapes } from '../models/params.js';
import { type PresetName, presetByName } from '../models/presets.js';
import { CheckpointMismatchError, SafetensorsFile, assertShapesMatch, readSafetensors, writeSafetensors } from '../models/safetensors.js';
import { validateModelSpec } from '../models/schema.js';
import { textEncoderParamShapes } from '../models/clip-text.js';
import type { ModelSpec } from '../models/specs.js';
import type { ModelFacts } from '../operators/net-calls.js';
import type { OneStepFormula } from '../schedule/one-step.js';
import { DEFAULT_TS } from '../schedule/timesteps.js';

export const MODEL_FORMAT = 'tadsr-model';
export const MODEL_FORMAT_VERSION = 1;

export interface ModelManifest {
  readonly format: typeof MODEL_FORMAT;
  readonly version: number;
  /** Preset the spec came from, when it did. */
  readonly preset?: string;
  readonly spec: ModelSpec;
  /** Which one-step formula the student was trained with. */
  readonly formula: OneStepFormula;
  readonly colorFix: ColorFixMode;
  readonly defaultTs: number;
  /**
   * How the UNet is conditioned: `zeros`, a fixed all-zero embedding (models without a text encoder); `prompt`,
   * the text encoder's embedding of each image's prompt (`spec.text`, `files.textEncoder`, `files.tokenizer`).
   */
  readonly textCondition: 'zeros' | 'prompt';
  /** Where the weights came from (free-form: command, step, source checkpoint, date). */
  readonly provenance: Readonly<Record<string, string | number | boolean>>;
  readonly files: {
    readonly unet: string;
    readonly vae: string;
    readonly teacherUnet?: string;
    /** With `spec.text`: the text encoder's safetensors and the tokenizer folder, relative to DIR. */
    readonly textEncoder?: string;
    readonly tokenizer?: string;
  };
}

export interface LoadedModel {
  readonly dir: string;
  readonly manifest: ModelManifest;
  readonly weights: ModelWeights;
  /** The frozen teacher UNet when the directory has one. */
  readonly teacherUnet?: ModelWeights['unet'];
}

/** A usage problem with a model directory; the message says what to do. */
export class ModelDirError extends Error {
  override name = 'ModelDirError';
}

/** Facts the operators need, from a spec. */
export function modelFacts(spec: ModelSpec): ModelFacts {
  const vaeDown = 2 ** (spec.vae.blockOutChannels.length - 1);
  const unetDown = 2 ** (spec.unet.blockOutChannels.length - 1);
  return {
    scalingFactor: spec.vae.scalingFactor,
    pixelMultiple: vaeDown * unetDown,
    hasTae: spec.tae !== undefined,
    crossAttentionDim: spec.unet.crossAttentionDim,
    latentChannels: spec.vae.latentChannels,
    vaeDownsample: vaeDown,
  };
}

const NO_MODEL_HELP =
  'make one with `tadsr init-model --preset tiny --out DIR` (untrained, for trying the pipeline), ' +
  '`tadsr pretrain --config F` + `tadsr train --config F` (a trained model), or ' +
  '`python tools/export_checkpoint.py` (a released TADSR/OSEDiff checkpoint), then pass `--model DIR`';

/** Read and validate `DIR/model.json`. */
export async function readManifest(dir: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(join(dir, 'model.json'), 'utf8');
  } catch {
    throw new ModelDirError(`no model at ${dir} (missing ${join(dir, 'model.json')}): ${NO_MODEL_HELP}`);
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new ModelDirError(`${join(dir, 'model.json')} is not valid JSON: ${(err as Error).message}`);
  }
  if (json['format'] !== MODEL_FORMAT) throw new ModelDirError(`${join(dir, 'model.json')} is not a tadsr model (format is ${JSON.stringify(json['format'])}, expected "${MODEL_FORMAT}")`);
  if (json['version'] !== MODEL_FORMAT_VERSION) throw new ModelDirError(`${join(dir, 'model.json')} has version ${String(json['version'])}; this tadsr reads version ${MODEL_FORMAT_VERSION}`);
  let spec: ModelSpec;
  try {
    spec = validateModelSpec(json['spec']);
  } catch (err) {
    throw new ModelDirError(`${join(dir, 'model.json')}: ${(err as Error).message}`);
  }
  const manifest = { ...(json as unknown as ModelManifest), spec };
  if (spec.text !== undefined && (manifest.files?.textEncoder === undefined || manifest.files.tokenizer === undefined)) {
    throw new ModelDirError(`${join(dir, 'model.json')}: the spec has a text encoder, so files.textEncoder and files.tokenizer are required`);
  }
  return manifest;
}

async function readChecked(path: string, expected: ReturnType<typeof paramShapes>, what: string, allowUnexpected = false): Promise<ModelWeights['unet']> {
  let f: SafetensorsFile;
  try {
    f = await SafetensorsFile.open(path);
  } catch (err) {
    throw new ModelDirError(`cannot read ${what} weights ${path}: ${(err as Error).message}`);
  }
  try {
    assertShapesMatch(path, expected, new Map([...f.entries].map(([k, e]) => [k, e.shape])), { allowUnexpected });
  } catch (err) {
    if (err instanceof CheckpointMismatchError) throw new ModelDirError(err.message);
    throw err;
  } finally {
    await f.close();
  }
  return readSafetensors(path);
}

/**
 * Load a model directory: manifest + weights, checked against the spec (a checkpoint of another preset gives
 * one message naming the mismatch).
 */
export async function readModelDir(dir: string, opts: { readonly teacher?: boolean } = {}): Promise<LoadedModel> {
  const manifest = await readManifest(dir);
  const { spec } = manifest;
  const unet = await readChecked(join(dir, manifest.files.unet), unetParamShapes(spec.unet), 'UNet');
  const vae = await readChecked(join(dir, manifest.files.vae), vaeParamShapes(spec.vae, spec.tae), 'VAE');
  let teacherUnet: ModelWeights['unet'] | undefined;
  if (opts.teacher && manifest.files.teacherUnet) {
    teacherUnet = await readChecked(join(dir, manifest.files.teacherUnet), unetParamShapes(spec.unet), 'teacher UNet');
  }
  // The text encoder: a checkpoint may also hold `text_model.embeddings.position_ids` (a buffer), hence unexpected names pass.
  const text = spec.text && manifest.files.textEncoder
    ? await readChecked(join(dir, manifest.files.textEncoder), textEncoderParamShapes(spec.text), 'text encoder', true)
    : undefined;
  return { dir, manifest, weights: { unet, vae, ...(text ? { text } : {}) }, ...(teacherUnet ? { teacherUnet } : {}) };
}

export interface WriteModelOptions {
  readonly preset?: string;
  readonly formula?: OneStepFormula;
  readonly colorFix?: ColorFixMode;
  readonly defaultTs?: number;
  readonly provenance?: Readonly<Record<string, string | number | boolean>>;
  readonly teacherUnet?: ModelWeights['unet'];
  /** For a spec with `text`: the tokenizer folder to copy (vocab.json, merges.txt and its config files). */
  readonly tokenizerDir?: string;
}

/** The files of a CLIP tokenizer folder that are copied (the first two are required). */
const TOKENIZER_FILES = ['vocab.json', 'merges.txt', 'tokenizer_config.json', 'special_tokens_map.json'];

/** Write a model directory atomically (into `DIR.tmp-*`, then rename over `DIR`). */
export async function writeModelDir(dir: string, spec: ModelSpec, weights: ModelWeights, opts: WriteModelOptions = {}): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmp, { recursive: true });
  if (spec.text !== undefined && (weights.text === undefined || opts.tokenizerDir === undefined)) {
    throw new ModelDirError('a spec with a text encoder needs its weights (weights.text) and a tokenizer folder (tokenizerDir)');
  }
  const files = {
    unet: 'unet.safetensors',
    vae: 'vae.safetensors',
    ...(opts.teacherUnet ? { teacherUnet: 'teacher-unet.safetensors' } : {}),
    ...(spec.text ? { textEncoder: 'text-encoder.safetensors', tokenizer: 'tokenizer' } : {}),
  };
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    ...(opts.preset ? { preset: opts.preset } : {}),
    spec,
    formula: opts.formula ?? 'ddpm-x0',
    colorFix: opts.colorFix ?? 'adain',
    defaultTs: opts.defaultTs ?? DEFAULT_TS,
    textCondition: spec.text ? 'prompt' : 'zeros',
    provenance: { createdAt: new Date().toISOString(), ...opts.provenance },
    files,
  };
  const { writeFile } = await import('node:fs/promises');
  await writeSafetensors(join(tmp, files.unet), weights.unet, { metadata: { format: 'pt' } });
  await writeSafetensors(join(tmp, files.vae), weights.vae, { metadata: { format: 'pt' } });
  if (opts.teacherUnet) await writeSafetensors(join(tmp, 'teacher-unet.safetensors'), opts.teacherUnet, { metadata: { format: 'pt' } });
  if (spec.text && weights.text && opts.tokenizerDir !== undefined) {
    await writeSafetensors(join(tmp, 'text-encoder.safetensors'), weights.text, { metadata: { format: 'pt' } });
    await mkdir(join(tmp, 'tokenizer'));
    const { copyFile } = await import('node:fs/promises');
    for (const [i, f] of TOKENIZER_FILES.entries()) {
      try {
        await copyFile(join(opts.tokenizerDir, f), join(tmp, 'tokenizer', f));
      } catch (err) {
        if (i < 2) throw new ModelDirError(`tokenizer folder ${opts.tokenizerDir}: cannot copy ${f}: ${(err as Error).message}`);
      }
    }
  }
  await writeFile(join(tmp, 'model.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
}

/**
 * Write a freshly initialised (untrained) model of a preset — for trying the pipeline and for tests. The
 * teacher UNet is the same initial UNet.
 */
export async function initModelDir(dir: string, preset: PresetName | string, opts: { readonly seed?: number } = {}): Promise<void> {
  const spec = presetByName(preset);
  const weights = initParams(spec, opts.seed ?? 0);
  await writeModelDir(dir, spec, weights, {
    preset,
    provenance: { source: 'init', seed: opts.seed ?? 0, trained: false },
    teacherUnet: weights.unet,
  });
}
