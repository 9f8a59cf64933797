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
 * DIR/ts-adapter.safetensors      optional: the t_s adapter (`ts-adapter.ts`; names `unet.…` / `vae.…`), switched
 *                                 on from t_s = tsAdapter.from to tsAdapter.to (model.json)
 * ```
 *
 * ```ts
 * const m = await readModelDir('models/default');
 * m.manifest.formula;            // 'ddpm-x0' | 'official'
 * await initModelDir('tmp/tiny', 'tiny', { seed: 0 });
 * ```
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { ColorFixMode } from '../color/color-fix.js';
import { type ModelWeights, initParams, paramShapes, unetParamShapes, vaeParamShapes } from './params.js';
import { type PresetName, presetByName } from './presets.js';
import { CheckpointMismatchError, SafetensorsFile, assertShapesMatch, readSafetensors, writeSafetensors } from './safetensors.js';
import { validateModelSpec } from './schema.js';
import { textEncoderParamShapes } from './clip-text.js';
import type { ModelSpec } from './specs.js';
import type { WeightMap } from './param-maps.js';
import { type TsAdapterWeights, type TsGate, checkTsAdapter, checkTsGate, shapesOf, tsAdapterFileWeights, tsAdapterFromFileWeights } from './ts-adapter.js';
import type { OneStepFormula } from '../schedule/one-step.js';
import { DEFAULT_TS } from '../schedule/timesteps.js';

export { type ModelFacts, modelFacts } from './model-facts.js';

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
  /** With `files.tsAdapter`: where the t_s adapter ramps in (`ts-adapter.ts`). */
  readonly tsAdapter?: TsGate;
  readonly files: {
    readonly unet: string;
    readonly vae: string;
    readonly teacherUnet?: string;
    /** With `spec.text`: the text encoder's safetensors and the tokenizer folder, relative to DIR. */
    readonly textEncoder?: string;
    readonly tokenizer?: string;
    /** The t_s adapter's safetensors (`unet.…` / `vae.…` names), relative to DIR. */
    readonly tsAdapter?: string;
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
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new ModelDirError(`${join(dir, 'model.json')} is not a JSON object`);
  if (json['format'] !== MODEL_FORMAT) throw new ModelDirError(`${join(dir, 'model.json')} is not a tadsr model (format is ${JSON.stringify(json['format'])}, expected "${MODEL_FORMAT}")`);
  if (json['version'] !== MODEL_FORMAT_VERSION) throw new ModelDirError(`${join(dir, 'model.json')} has version ${String(json['version'])}; this tadsr reads version ${MODEL_FORMAT_VERSION}`);
  let spec: ModelSpec;
  try {
    spec = validateModelSpec(json['spec']);
  } catch (err) {
    throw new ModelDirError(`${join(dir, 'model.json')}: ${(err as Error).message}`);
  }
  checkManifestFields(join(dir, 'model.json'), json);
  const manifest = { ...(json as unknown as ModelManifest), spec };
  if (spec.text !== undefined && (manifest.files?.textEncoder === undefined || manifest.files.tokenizer === undefined)) {
    throw new ModelDirError(`${join(dir, 'model.json')}: the spec has a text encoder, so files.textEncoder and files.tokenizer are required`);
  }
  return manifest;
}

const FORMULAS: readonly string[] = ['ddpm-x0', 'official'];
const COLOR_FIXES: readonly string[] = ['adain', 'wavelet', 'none'];

/** The manifest fields besides the spec; one {@link ModelDirError} naming model.json and the key. */
function checkManifestFields(where: string, json: Record<string, unknown>): void {
  const bad = (key: string, why: string) => new ModelDirError(`${where}: "${key}" ${why}`);
  const t = json['defaultTs'];
  if (!(typeof t === 'number' && Number.isInteger(t) && t >= 0 && t <= 999)) throw bad('defaultTs', `must be an integer in [0, 999], got ${JSON.stringify(t)}`);
  if ((filesObject(json)['tsAdapter'] === undefined) !== (json['tsAdapter'] === undefined)) {
    throw bad('tsAdapter', 'and "files.tsAdapter" go together: the gate { from, to } and the adapter file');
  }
  if (json['tsAdapter'] !== undefined) {
    try {
      checkTsGate(json['tsAdapter'], '"tsAdapter"');
    } catch (err) {
      throw new ModelDirError(`${where}: ${(err as Error).message}`);
    }
  }
  if (!FORMULAS.includes(json['formula'] as string)) throw bad('formula', `must be one of ${FORMULAS.join(', ')}, got ${JSON.stringify(json['formula'])}`);
  if (!COLOR_FIXES.includes(json['colorFix'] as string)) throw bad('colorFix', `must be one of ${COLOR_FIXES.join(', ')}, got ${JSON.stringify(json['colorFix'])}`);
  const files = json['files'];
  if (files === null || typeof files !== 'object' || Array.isArray(files)) throw bad('files', 'must be an object { unet, vae, teacherUnet?, textEncoder?, tokenizer? } of names');
  const f = files as Record<string, unknown>;
  for (const key of ['unet', 'vae', 'teacherUnet', 'textEncoder', 'tokenizer', 'tsAdapter']) {
    const v = f[key];
    if (v === undefined && key !== 'unet' && key !== 'vae') continue;
    if (typeof v !== 'string' || v === '') throw bad(`files.${key}`, `must be a file name, got ${JSON.stringify(v)}`);
    if (!isInside(v)) throw bad(`files.${key}`, `(${JSON.stringify(v)}) must name a file inside the model folder`);
  }
}

/** `json.files` as a record (empty when it is not an object; the caller reports that). */
function filesObject(json: Record<string, unknown>): Record<string, unknown> {
  const f = json['files'];
  return f !== null && typeof f === 'object' && !Array.isArray(f) ? (f as Record<string, unknown>) : {};
}

/** A relative path that stays inside its folder (no absolute path, no `..` out of it). */
export function isInside(rel: string): boolean {
  if (rel.includes('\0') || isAbsolute(rel)) return false;
  const r = relative('/base', resolve('/base', rel));
  return r !== '' && !r.startsWith('..') && !isAbsolute(r);
}

/** Refuse weights with NaN or ±Infinity (a diverged training run): they would give black images. */
function assertFinite(path: string, weights: ModelWeights['unet']): void {
  for (const [name, t] of weights) {
    const d = t.data;
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i]!)) {
        throw new ModelDirError(`${path}: tensor "${name}" holds ${d[i]} at index ${i}; the weights are broken (a diverged training run?) and would give black images`);
      }
    }
  }
}

async function readChecked(path: string, expected: ReturnType<typeof paramShapes>, what: string, allowUnexpected = false): Promise<ModelWeights['unet']> {
  let f: SafetensorsFile;
  try {
    f = await SafetensorsFile.open(path);
  } catch (err) {
    const m = (err as Error).message;
    throw new ModelDirError(`cannot read ${what} weights ${m.startsWith(path) ? m : `${path}: ${m}`}`);
  }
  try {
    assertShapesMatch(path, expected, new Map([...f.entries].map(([k, e]) => [k, e.shape])), { allowUnexpected });
  } catch (err) {
    if (err instanceof CheckpointMismatchError) throw new ModelDirError(err.message);
    throw err;
  } finally {
    await f.close();
  }
  const weights = await readSafetensors(path);
  assertFinite(path, weights);
  return weights;
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
  const tsAdapter = manifest.files.tsAdapter === undefined || manifest.tsAdapter === undefined
    ? undefined
    : await readTsAdapter(join(dir, manifest.files.tsAdapter), spec, manifest.tsAdapter);
  return { dir, manifest, weights: { unet, vae, ...(text ? { text } : {}), ...(tsAdapter ? { tsAdapter } : {}) }, ...(teacherUnet ? { teacherUnet } : {}) };
}

/** Read and check a t_s adapter file (`unet.…` / `vae.…` names) against the spec. */
async function readTsAdapter(path: string, spec: ModelSpec, gate: TsGate): Promise<TsAdapterWeights> {
  let all: WeightMap;
  try {
    all = await readSafetensors(path);
  } catch (err) {
    const m = (err as Error).message;
    throw new ModelDirError(`cannot read the t_s adapter ${m.startsWith(path) ? m : `${path}: ${m}`}`);
  }
  assertFinite(path, all);
  let adapter: TsAdapterWeights;
  try {
    adapter = tsAdapterFromFileWeights(all, gate);
    checkTsAdapter(spec, { unet: shapesOf(adapter.unet), vae: shapesOf(adapter.vae) });
  } catch (err) {
    throw new ModelDirError(`${path}: ${(err as Error).message}`);
  }
  return adapter;
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

/**
 * Check, before any work, that `dir` may receive a model: it does not exist, is an empty folder, or is already a
 * tadsr model folder (then only its model files are replaced; other files in it are kept). Anything else is a
 * {@link ModelDirError} naming what is there, so no user file is ever deleted.
 */
export function checkModelDirTarget(dir: string): void {
  let st;
  try {
    st = statSync(dir);
  } catch {
    return;
  }
  if (!st.isDirectory()) throw new ModelDirError(`cannot write a model to ${dir}: it is a file`);
  const names = readdirSync(dir);
  if (names.length === 0) return;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  } catch {
    json = undefined;
  }
  if (json === null || typeof json !== 'object' || (json as Record<string, unknown>)['format'] !== MODEL_FORMAT) {
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length - 5} more)` : '');
    throw new ModelDirError(`refusing to write a model into ${dir}: it is not empty and not a tadsr model folder (it holds ${shown}); choose a new or empty folder`);
  }
}

/**
 * Write a model directory. Only into a new or empty folder, or over a tadsr model folder
 * ({@link checkModelDirTarget}); the new files are written complete under temporary names first and then renamed
 * over the old ones, `model.json` last, so the previous model stays whole until the new one is; files of the
 * folder that are not model files are left as they are.
 */
export async function writeModelDir(dir: string, spec: ModelSpec, weights: ModelWeights, opts: WriteModelOptions = {}): Promise<void> {
  if (spec.text !== undefined && (weights.text === undefined || opts.tokenizerDir === undefined)) {
    throw new ModelDirError('a spec with a text encoder needs its weights (weights.text) and a tokenizer folder (tokenizerDir)');
  }
  checkModelDirTarget(dir);
  await mkdir(dir, { recursive: true });
  const files = {
    unet: 'unet.safetensors',
    vae: 'vae.safetensors',
    ...(opts.teacherUnet ? { teacherUnet: 'teacher-unet.safetensors' } : {}),
    ...(spec.text ? { textEncoder: 'text-encoder.safetensors', tokenizer: 'tokenizer' } : {}),
    ...(weights.tsAdapter ? { tsAdapter: 'ts-adapter.safetensors' } : {}),
  };
  if (weights.tsAdapter) checkTsAdapter(spec, { unet: shapesOf(weights.tsAdapter.unet), vae: shapesOf(weights.tsAdapter.vae) });
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
    ...(weights.tsAdapter ? { tsAdapter: checkTsGate(weights.tsAdapter.gate) } : {}),
    files,
  };
  const tag = `.tmp-${process.pid}-${Date.now()}`;
  const staged: [string, string][] = [];
  const stage = async (name: string, write: (path: string) => Promise<void>) => {
    const tmp = join(dir, `.${name}${tag}`);
    staged.push([tmp, join(dir, name)]);
    await write(tmp);
  };
  try {
    await stage(files.unet, (p) => writeSafetensors(p, weights.unet, { metadata: { format: 'pt' } }));
    await stage(files.vae, (p) => writeSafetensors(p, weights.vae, { metadata: { format: 'pt' } }));
    if (weights.tsAdapter) {
      const a = tsAdapterFileWeights(weights.tsAdapter);
      await stage('ts-adapter.safetensors', (p) => writeSafetensors(p, a, { metadata: { format: 'pt' } }));
    }
    if (opts.teacherUnet) await stage('teacher-unet.safetensors', (p) => writeSafetensors(p, opts.teacherUnet!, { metadata: { format: 'pt' } }));
    if (spec.text && weights.text && opts.tokenizerDir !== undefined) {
      const text = weights.text;
      const tokenizerDir = opts.tokenizerDir;
      await stage('text-encoder.safetensors', (p) => writeSafetensors(p, text, { metadata: { format: 'pt' } }));
      await stage('tokenizer', async (p) => {
        await mkdir(p);
        for (const [i, f] of TOKENIZER_FILES.entries()) {
          try {
            await copyFile(join(tokenizerDir, f), join(p, f));
          } catch (err) {
            if (i < 2) throw new ModelDirError(`tokenizer folder ${tokenizerDir}: cannot copy ${f}: ${(err as Error).message}`);
          }
        }
      });
    }
    await stage('model.json', (p) => writeFile(p, `${JSON.stringify(manifest, null, 2)}\n`));
  } catch (err) {
    for (const [tmp] of staged) await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const old: string[] = [];
  for (const [tmp, final] of staged) {
    // a folder (the tokenizer) cannot be renamed over a folder: the old one is moved aside, removed at the end
    if (statSync(tmp).isDirectory() && (await stat(final).then((x) => x.isDirectory(), () => false))) {
      const aside = `${tmp}.old`;
      await rename(final, aside);
      old.push(aside);
    }
    await rename(tmp, final);
  }
  for (const o of old) await rm(o, { recursive: true, force: true });
  // Files of the previous model that the new one does not have would be taken for this model's.
  if (!opts.teacherUnet) await rm(join(dir, 'teacher-unet.safetensors'), { force: true });
  if (!weights.tsAdapter) await rm(join(dir, 'ts-adapter.safetensors'), { force: true });
  if (!spec.text) {
    await rm(join(dir, 'text-encoder.safetensors'), { force: true });
    await rm(join(dir, 'tokenizer'), { recursive: true, force: true });
  }
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
