/**
 * JSON Schemas for the model specs, and `validateModelSpec` — the edge where untrusted JSON becomes a typed spec.
 */
import { Ajv, type ErrorObject, type JSONSchemaType } from 'ajv';
import type { LoraSpec, ModelSpec, NoiseScheduleSpec, TextEncoderSpec, TimeAwareSpec, UNetSpec, VaeSpec } from './specs.js';

const positiveInt = { type: 'integer', minimum: 1 } as const;
const widths = { type: 'array', items: positiveInt, minItems: 1 } as const;

export const unetSpecSchema: JSONSchemaType<UNetSpec> = {
  type: 'object',
  additionalProperties: false,
  required: [
    'inChannels', 'outChannels', 'blockOutChannels', 'layersPerBlock', 'downBlockTypes', 'upBlockTypes',
    'attentionHeads', 'crossAttentionDim', 'useLinearProjection', 'normNumGroups', 'normEps', 'flipSinToCos',
    'freqShift',
  ],
  properties: {
    inChannels: positiveInt,
    outChannels: positiveInt,
    blockOutChannels: widths,
    layersPerBlock: positiveInt,
    downBlockTypes: { type: 'array', minItems: 1, items: { type: 'string', enum: ['DownBlock2D', 'CrossAttnDownBlock2D'] } },
    upBlockTypes: { type: 'array', minItems: 1, items: { type: 'string', enum: ['UpBlock2D', 'CrossAttnUpBlock2D'] } },
    attentionHeads: widths,
    crossAttentionDim: { type: 'integer', minimum: 1, nullable: true } as never,
    useLinearProjection: { type: 'boolean' },
    normNumGroups: positiveInt,
    normEps: { type: 'number', exclusiveMinimum: 0 },
    flipSinToCos: { type: 'boolean' },
    freqShift: { type: 'number' },
  },
};

export const vaeSpecSchema: JSONSchemaType<VaeSpec> = {
  type: 'object',
  additionalProperties: false,
  required: [
    'inChannels', 'outChannels', 'blockOutChannels', 'layersPerBlock', 'latentChannels', 'normNumGroups',
    'scalingFactor', 'midBlockAddAttention',
  ],
  properties: {
    arch: { type: 'string', enum: ['autoencoder-kl', 'taesd'], nullable: true } as never,
    midBlockGn: { type: 'boolean', nullable: true } as never,
    inChannels: positiveInt,
    outChannels: positiveInt,
    blockOutChannels: widths,
    layersPerBlock: positiveInt,
    latentChannels: positiveInt,
    normNumGroups: positiveInt,
    scalingFactor: { type: 'number', exclusiveMinimum: 0 },
    midBlockAddAttention: { type: 'boolean' },
  },
};

export const timeAwareSpecSchema: JSONSchemaType<TimeAwareSpec> = {
  type: 'object',
  additionalProperties: false,
  required: ['timeProjDim', 'embedDim', 'flipSinToCos', 'freqShift', 'zeroInitTimeProj'],
  properties: {
    timeProjDim: { type: 'integer', minimum: 2, multipleOf: 2 },
    embedDim: positiveInt,
    flipSinToCos: { type: 'boolean' },
    freqShift: { type: 'number' },
    zeroInitTimeProj: { type: 'boolean' },
  },
};

export const loraSpecSchema: JSONSchemaType<LoraSpec> = {
  type: 'object',
  additionalProperties: false,
  required: ['adapters'],
  properties: {
    adapters: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['network', 'rank', 'alpha', 'targets'],
        properties: {
          network: { type: 'string', enum: ['unet', 'vae'] },
          rank: positiveInt,
          alpha: { type: 'number', exclusiveMinimum: 0 },
          targets: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
        },
      },
    },
  },
};

export const textEncoderSpecSchema: JSONSchemaType<TextEncoderSpec> = {
  type: 'object',
  additionalProperties: false,
  required: [
    'vocabSize', 'hiddenSize', 'intermediateSize', 'numHiddenLayers', 'numAttentionHeads', 'maxPositionEmbeddings',
    'hiddenAct', 'layerNormEps',
  ],
  properties: {
    vocabSize: positiveInt,
    hiddenSize: positiveInt,
    intermediateSize: positiveInt,
    numHiddenLayers: positiveInt,
    numAttentionHeads: positiveInt,
    maxPositionEmbeddings: { type: 'integer', minimum: 2 },
    hiddenAct: { type: 'string', enum: ['gelu', 'quick_gelu'] },
    layerNormEps: { type: 'number', exclusiveMinimum: 0 },
  },
};

export const noiseScheduleSpecSchema: JSONSchemaType<NoiseScheduleSpec> = {
  type: 'object',
  additionalProperties: false,
  required: ['betaSchedule', 'betaStart', 'betaEnd', 'numTrainTimesteps'],
  properties: {
    betaSchedule: { type: 'string', enum: ['scaled_linear', 'linear'] },
    betaStart: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    betaEnd: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    numTrainTimesteps: { type: 'integer', enum: [1000] },
  },
};

export const modelSpecSchema: JSONSchemaType<ModelSpec> = {
  type: 'object',
  additionalProperties: false,
  required: ['unet', 'vae'],
  properties: {
    unet: unetSpecSchema,
    vae: vaeSpecSchema,
    tae: { ...timeAwareSpecSchema, nullable: true } as never,
    lora: { ...loraSpecSchema, nullable: true } as never,
    text: { ...textEncoderSpecSchema, nullable: true } as never,
    schedule: { ...noiseScheduleSpecSchema, nullable: true } as never,
  },
};

const ajv = new Ajv({ allErrors: true });
const validate = ajv.compile(modelSpecSchema);

/** A spec that failed validation; `problems` lists each bad path with what is wrong there. */
export class ModelSpecError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid model spec:\n  ${problems.join('\n  ')}`);
    this.name = 'ModelSpecError';
  }
}

function describe(e: ErrorObject): string {
  const where = e.instancePath === '' ? '(root)' : e.instancePath;
  if (e.keyword === 'additionalProperties') {
    return `${where}: unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  }
  return `${where}: ${e.message ?? e.keyword}`;
}

/** Checks that hold across fields (lengths that must agree, widths divisible by groups and heads). */
function crossFieldProblems(s: ModelSpec): string[] {
  const out: string[] = [];
  const u = s.unet;
  const n = u.blockOutChannels.length;
  if (u.downBlockTypes.length !== n) out.push(`/unet/downBlockTypes: needs ${n} entries (one per blockOutChannels)`);
  if (u.upBlockTypes.length !== n) out.push(`/unet/upBlockTypes: needs ${n} entries (one per blockOutChannels)`);
  if (u.attentionHeads.length !== n) out.push(`/unet/attentionHeads: needs ${n} entries (one per blockOutChannels)`);
  u.blockOutChannels.forEach((c, i) => {
    if (c % u.normNumGroups !== 0) out.push(`/unet/blockOutChannels/${i}: ${c} is not divisible by normNumGroups ${u.normNumGroups}`);
    const h = u.attentionHeads[i];
    if (h !== undefined && c % h !== 0) out.push(`/unet/attentionHeads/${i}: ${c} channels are not divisible by ${h} heads`);
  });
  const v = s.vae;
  v.blockOutChannels.forEach((c, i) => {
    if (c % v.normNumGroups !== 0) out.push(`/vae/blockOutChannels/${i}: ${c} is not divisible by normNumGroups ${v.normNumGroups}`);
  });
  if (v.arch === 'taesd' && v.blockOutChannels.some((c) => c !== v.blockOutChannels[0])) {
    out.push(`/vae/blockOutChannels: a taesd autoencoder has one width for every level (got ${v.blockOutChannels.join(', ')})`);
  }
  if (v.arch !== 'taesd' && v.midBlockGn !== undefined) out.push('/vae/midBlockGn: only for arch "taesd"');
  if (u.inChannels !== v.latentChannels) {
    out.push(`/unet/inChannels: ${u.inChannels} differs from /vae/latentChannels ${v.latentChannels}`);
  }
  if (s.schedule !== undefined && !(s.schedule.betaStart < s.schedule.betaEnd)) {
    out.push(`/schedule/betaEnd: ${s.schedule.betaEnd} must exceed betaStart ${s.schedule.betaStart}`);
  }
  const t = s.text;
  if (t !== undefined) {
    if (t.hiddenSize % t.numAttentionHeads !== 0) out.push(`/text/hiddenSize: ${t.hiddenSize} is not divisible by ${t.numAttentionHeads} heads`);
    if (u.crossAttentionDim !== t.hiddenSize) {
      out.push(`/text/hiddenSize: ${t.hiddenSize} differs from /unet/crossAttentionDim ${String(u.crossAttentionDim)} (the UNet reads the text encoder's output)`);
    }
  }
  for (const [i, a] of (s.lora?.adapters ?? []).entries()) {
    for (const [j, t] of a.targets.entries()) {
      try {
        new RegExp(t);
      } catch {
        out.push(`/lora/adapters/${i}/targets/${j}: not a regular expression: ${t}`);
      }
    }
  }
  return out;
}

/**
 * Validate JSON as a `ModelSpec`; throws `ModelSpecError` listing every bad path.
 *
 * @example
 * const spec = validateModelSpec(JSON.parse(await readFile('model.json', 'utf8')));
 */
export function validateModelSpec(json: unknown): ModelSpec {
  if (!validate(json)) throw new ModelSpecError((validate.errors ?? []).map(describe));
  const problems = crossFieldProblems(json);
  if (problems.length > 0) throw new ModelSpecError(problems);
  return json;
}
