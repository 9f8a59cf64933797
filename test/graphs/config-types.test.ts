/**
 * Config types come from their JSON schemas (json-schema-to-ts), so the two cannot drift: the type checks below
 * fail `npm run typecheck` when a schema changes without its type following, and the runtime checks show that
 * every key the type promises (each key with a `default`) is really there after ajv has filled the defaults.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type DegradationConfig, defaultDegradationConfig, degradationConfigSchema } from '../../src/degradation/config.js';
import { type PretrainConfig, parsePretrainConfig, pretrainConfigSchema } from '../../src/graphs/pretrain-config.js';
import { type TrainConfig, parseTrainConfig, trainConfigSchema } from '../../src/graphs/train-config.js';
import type { OneStepFormula } from '../../src/schedule/one-step.js';

/** Paths of every property that has a `default` in an object schema (recursively). */
function defaultedPaths(schema: { readonly properties?: Readonly<Record<string, unknown>> }, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(schema.properties ?? {})) {
    const s = v as { default?: unknown; type?: string; properties?: Record<string, unknown> };
    if (s.default !== undefined) out.push(prefix + k);
    if (s.type === 'object' && s.properties) out.push(...defaultedPaths(s, `${prefix}${k}.`));
  }
  return out;
}

function at(obj: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

describe('pre-training config', () => {
  it('its type is the schema\'s: enums, defaulted keys present, optional keys optional', () => {
    expectTypeOf<PretrainConfig['preset']>().toEqualTypeOf<'tiny' | 'small' | 'small-taef2' | 'sd21-base'>();
    expectTypeOf<PretrainConfig['vae']['train']>().toEqualTypeOf<'all' | 'decoder'>();
    expectTypeOf<PretrainConfig['data']['patch']>().toEqualTypeOf<number>();
    expectTypeOf<PretrainConfig['heavyOps']>().toEqualTypeOf<'ort' | 'tfjs'>();
    expectTypeOf<PretrainConfig['runtime']>().toEqualTypeOf<'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu' | undefined>();
    expectTypeOf<PretrainConfig['spec']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<{ unet: { steps: number } }>().not.toMatchTypeOf<PretrainConfig>();
  });

  it('every key with a default is filled by validation (what the type promises is there)', () => {
    const cfg = parsePretrainConfig({ preset: 'tiny', data: { hq: 'hq' }, out: 'o' }, 'test', '/base');
    const paths = defaultedPaths(pretrainConfigSchema);
    expect(paths).toEqual(expect.arrayContaining(['data.patch', 'vae', 'vae.train', 'unet.lr', 'heavyOps']));
    for (const p of paths) expect(at(cfg, p), p).toBeDefined();
    expect(cfg.vae).toEqual({ steps: 1000, lr: 1e-4, klWeight: 1e-6, lpipsWeight: 0, train: 'all' });
  });

  it('accepts every preset the type names (the hand-written interface had left small-taef2 out)', () => {
    for (const preset of ['tiny', 'small', 'small-taef2', 'sd21-base'] as const) {
      expect(parsePretrainConfig({ preset, data: { hq: 'hq' }, out: 'o' }, 'test', '/base').preset).toBe(preset);
    }
  });
});

describe('distillation config', () => {
  it('its type is the schema\'s (and its formula is the schedule\'s OneStepFormula)', () => {
    expectTypeOf<TrainConfig['formula']>().toEqualTypeOf<OneStepFormula>();
    expectTypeOf<TrainConfig['weights']>().toEqualTypeOf<{ mse: number; lpips: number; tavsd: number }>();
    expectTypeOf<TrainConfig['timeMapping']>().toEqualTypeOf<{ lambda: number; gamma: number }>();
    expectTypeOf<TrainConfig['teacherBackend']>().toEqualTypeOf<'tfjs' | 'onnx'>();
    expectTypeOf<TrainConfig['data']['patch']>().toEqualTypeOf<number>();
    expectTypeOf<TrainConfig['steps']>().toEqualTypeOf<number>();
    expectTypeOf<TrainConfig['tae']>().toEqualTypeOf<boolean>();
  });

  it('every key with a default is filled by validation', () => {
    const cfg = parseTrainConfig({ preset: 'tiny', data: { hq: 'hq' }, out: 'o' }, 'test', '/base');
    const paths = defaultedPaths(trainConfigSchema);
    expect(paths).toEqual(expect.arrayContaining(['data.patch', 'weights', 'weights.tavsd', 'timeMapping.lambda', 'formula', 'teacherBackend']));
    for (const p of paths) expect(at(cfg, p), p).toBeDefined();
  });
});

describe('degradation config', () => {
  /** The interface narrows the schema's fixed-length arrays to tuples (`Range`, 3 resize probabilities). */
  type Widen<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer E)[] ? E[] : T[K] };
  type FromDegradationSchema = Omit<FromSchema<typeof degradationConfigSchema>, '$schema'>;

  it('the interface is the schema\'s type key for key (only tuples narrowed)', () => {
    expectTypeOf<Widen<DegradationConfig>>().toEqualTypeOf<FromDegradationSchema>();
    expectTypeOf<keyof DegradationConfig>().toEqualTypeOf<keyof FromDegradationSchema>();
  });

  it('every key with a default is filled by validation', () => {
    const cfg = defaultDegradationConfig();
    const paths = defaultedPaths(degradationConfigSchema);
    expect(paths.length).toBe(Object.keys(degradationConfigSchema.properties).length - 1); // all but $schema
    for (const p of paths) expect(at(cfg, p), p).toBeDefined();
  });
});
