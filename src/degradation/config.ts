/**
 * Every parameter of the degradation, as one JSON object validated by ajv (JSON Schema with defaults).
 *
 * Key names follow Real-ESRGAN's `train_realesrgan_x4plus.yml` (identical values in OSEDiff's
 * `params_realesrgan.yml`); defaults are those values. Keys that BasicSR hard-codes are exposed too
 * (`kernel_range`, sinc cut-off ranges, `resize_modes`, `final_resize_first_prob`), and tadsr adds
 * `gt_size` (crop), `use_hflip`, and the USM switch.
 *
 * **Default flow = OSEDiff's** (the TADSR training recipe): no USM (`usm: false`, the raw GT is blurred),
 * batch of 1, LQ = crop/scale with no resize back. Set `usm: true` for Real-ESRGAN's flow (the GT is
 * USM-sharpened before the first blur).
 *
 * ```ts
 * const cfg = parseDegradationConfig({ noise_range: [1, 20] }); // every other key gets its default
 * ```
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';

export type KernelType = 'iso' | 'aniso' | 'generalized_iso' | 'generalized_aniso' | 'plateau_iso' | 'plateau_aniso';
export const KERNEL_TYPES: readonly KernelType[] = [
  'iso',
  'aniso',
  'generalized_iso',
  'generalized_aniso',
  'plateau_iso',
  'plateau_aniso',
];
export type Range = readonly [number, number];
export type ResizeModeName = 'area' | 'bilinear' | 'bicubic';

export interface DegradationConfig {
  scale: number;
  gt_size: number;
  use_hflip: boolean;
  usm: boolean;
  usm_weight: number;
  usm_threshold: number;
  usm_radius: number;
  kernel_range: number[];
  kernel_list: KernelType[];
  kernel_prob: number[];
  sinc_prob: number;
  blur_sigma: Range;
  betag_range: Range;
  betap_range: Range;
  kernel_list2: KernelType[];
  kernel_prob2: number[];
  sinc_prob2: number;
  blur_sigma2: Range;
  betag_range2: Range;
  betap_range2: Range;
  sinc_omega_small: Range;
  sinc_omega_large: Range;
  final_sinc_prob: number;
  final_sinc_omega: Range;
  resize_modes: ResizeModeName[];
  resize_prob: [number, number, number];
  resize_range: Range;
  gaussian_noise_prob: number;
  noise_range: Range;
  poisson_scale_range: Range;
  gray_noise_prob: number;
  jpeg_range: Range;
  second_blur_prob: number;
  resize_prob2: [number, number, number];
  resize_range2: Range;
  gaussian_noise_prob2: number;
  noise_range2: Range;
  poisson_scale_range2: Range;
  gray_noise_prob2: number;
  jpeg_range2: Range;
  final_resize_first_prob: number;
}

const prob = (d: number) => ({ type: 'number', minimum: 0, maximum: 1, default: d }) as const;
const range = (d: Range, min = 0, max?: number) => ({
  type: 'array',
  items: max === undefined ? ({ type: 'number', minimum: min } as const) : ({ type: 'number', minimum: min, maximum: max } as const),
  minItems: 2,
  maxItems: 2,
  default: [...d],
}) as const;
const KERNELS = [...KERNEL_TYPES];
const kernelList = { type: 'array', items: { enum: KERNEL_TYPES }, minItems: 1, default: KERNELS } as const;
const kernelProb = { type: 'array', items: { type: 'number', minimum: 0 }, minItems: 1, default: [0.45, 0.25, 0.12, 0.03, 0.12, 0.03] } as const;
const resizeProb = (d: number[]) => ({
  type: 'array',
  items: { type: 'number', minimum: 0 },
  minItems: 3,
  maxItems: 3,
  default: d,
}) as const;
const PI = Math.PI;

/** The JSON Schema (draft-07) of {@link DegradationConfig}; every key optional, with its default. */
export const degradationConfigSchema = {
  $id: 'tadsr/degradation-config',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    scale: { type: 'integer', minimum: 1, maximum: 16, default: 4 },
    gt_size: { type: 'integer', minimum: 8, maximum: 16384, default: 512 },
    use_hflip: { type: 'boolean', default: true },
    usm: { type: 'boolean', default: false },
    usm_weight: { type: 'number', minimum: 0, default: 0.5 },
    usm_threshold: { type: 'number', minimum: 0, default: 10 },
    usm_radius: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
    kernel_range: {
      type: 'array',
      items: { type: 'integer', minimum: 1, maximum: 21, not: { multipleOf: 2 } },
      minItems: 1,
      default: [7, 9, 11, 13, 15, 17, 19, 21],
    },
    kernel_list: kernelList,
    kernel_prob: kernelProb,
    sinc_prob: prob(0.1),
    blur_sigma: range([0.2, 3], 1e-6),
    betag_range: range([0.5, 4], 1e-6),
    betap_range: range([1, 2], 1e-6),
    kernel_list2: kernelList,
    kernel_prob2: kernelProb,
    sinc_prob2: prob(0.1),
    blur_sigma2: range([0.2, 1.5], 1e-6),
    betag_range2: range([0.5, 4], 1e-6),
    betap_range2: range([1, 2], 1e-6),
    sinc_omega_small: range([PI / 3, PI], 1e-6, PI),
    sinc_omega_large: range([PI / 5, PI], 1e-6, PI),
    final_sinc_prob: prob(0.8),
    final_sinc_omega: range([PI / 3, PI], 1e-6, PI),
    resize_modes: {
      type: 'array',
      items: { enum: ['area', 'bilinear', 'bicubic'] },
      minItems: 1,
      default: ['area', 'bilinear', 'bicubic'],
    },
    resize_prob: resizeProb([0.2, 0.7, 0.1]),
    resize_range: range([0.15, 1.5], 1e-3),
    gaussian_noise_prob: prob(0.5),
    noise_range: range([1, 30], 0, 255),
    poisson_scale_range: range([0.05, 3], 0),
    gray_noise_prob: prob(0.4),
    jpeg_range: range([30, 95], 1, 100),
    second_blur_prob: prob(0.8),
    resize_prob2: resizeProb([0.3, 0.4, 0.3]),
    resize_range2: range([0.3, 1.2], 1e-3),
    gaussian_noise_prob2: prob(0.5),
    noise_range2: range([1, 25], 0, 255),
    poisson_scale_range2: range([0.05, 2.5], 0),
    gray_noise_prob2: prob(0.4),
    jpeg_range2: range([30, 95], 1, 100),
    final_resize_first_prob: prob(0.5),
  },
} as const;

/** Thrown for an invalid config; the message names every bad key. */
export class DegradationConfigError extends Error {
  override name = 'DegradationConfigError';
}

let validator: ReturnType<Ajv['compile']> | undefined;

function compile(): ReturnType<Ajv['compile']> {
  if (!validator) {
    const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: true });
    validator = ajv.compile(degradationConfigSchema);
  }
  return validator;
}

function keyOf(err: ErrorObject): string {
  const path = err.instancePath.replace(/^\//, '').replace(/\/(\d+)/g, '[$1]').replace(/\//g, '.');
  if (err.keyword === 'additionalProperties') {
    return String((err.params as { additionalProperty: string }).additionalProperty);
  }
  return path || '(config)';
}

function describe(err: ErrorObject): string {
  const key = keyOf(err);
  if (err.keyword === 'additionalProperties') return `unknown key "${key}"`;
  if (err.keyword === 'enum') {
    return `"${key}" must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  }
  if (err.keyword === 'not') return `"${key}" must be odd`;
  return `"${key}" ${err.message ?? 'is invalid'}`;
}

/**
 * Validate a (partial) config object and fill in defaults. Throws {@link DegradationConfigError} naming the
 * bad keys. The input is not modified.
 */
export function parseDegradationConfig(input: unknown = {}, source = 'degradation config'): DegradationConfig {
  const obj = input === undefined ? {} : structuredClone(input);
  const validate = compile();
  if (!validate(obj)) {
    const msgs = [...new Set((validate.errors ?? []).map(describe))];
    throw new DegradationConfigError(`${source}: ${msgs.join('; ')}`);
  }
  const cfg = obj as unknown as DegradationConfig;
  const problems: string[] = [];
  for (const [list, probs] of [
    ['kernel_list', 'kernel_prob'],
    ['kernel_list2', 'kernel_prob2'],
  ] as const) {
    if (cfg[list].length !== cfg[probs].length) {
      problems.push(`"${probs}" has ${cfg[probs].length} entries but "${list}" has ${cfg[list].length}`);
    }
    if (cfg[probs].every((p) => p === 0)) problems.push(`"${probs}" must not be all zero`);
  }
  for (const key of ['resize_prob', 'resize_prob2'] as const) {
    if (cfg[key].every((p) => p === 0)) problems.push(`"${key}" must not be all zero`);
  }
  const ordered: (keyof DegradationConfig)[] = [
    'blur_sigma', 'betag_range', 'betap_range', 'blur_sigma2', 'betag_range2', 'betap_range2',
    'sinc_omega_small', 'sinc_omega_large', 'final_sinc_omega', 'resize_range', 'noise_range',
    'poisson_scale_range', 'jpeg_range', 'resize_range2', 'noise_range2', 'poisson_scale_range2', 'jpeg_range2',
  ];
  for (const key of ordered) {
    const [lo, hi] = cfg[key] as Range;
    if (lo > hi) problems.push(`"${key}" must be [low, high] with low <= high, got [${lo}, ${hi}]`);
  }
  for (const key of ['resize_range', 'resize_range2'] as const) {
    const [lo, hi] = cfg[key];
    if (lo > 1 || hi < 1) problems.push(`"${key}" must contain 1 (down-scale from low, up-scale to high), got [${lo}, ${hi}]`);
  }
  for (const key of ['betag_range', 'betag_range2', 'betap_range', 'betap_range2'] as const) {
    const [lo, hi] = cfg[key];
    if (lo > 1 || hi < 1) problems.push(`"${key}" must contain 1 (β is drawn below or above 1), got [${lo}, ${hi}]`);
  }
  if (cfg.gt_size % cfg.scale !== 0) {
    problems.push(`"gt_size" (${cfg.gt_size}) must be a multiple of "scale" (${cfg.scale})`);
  }
  if (problems.length) throw new DegradationConfigError(`${source}: ${problems.join('; ')}`);
  return cfg;
}

/** Read a JSON file and {@link parseDegradationConfig} it. */
export function loadDegradationConfig(path: string): DegradationConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new DegradationConfigError(`cannot read config ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DegradationConfigError(`config ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseDegradationConfig(json, `config ${path}`);
}

/** The defaults (Real-ESRGAN / OSEDiff values, OSEDiff flow). */
export function defaultDegradationConfig(): DegradationConfig {
  return parseDegradationConfig({});
}
