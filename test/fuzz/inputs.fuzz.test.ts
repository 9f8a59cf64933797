/**
 * Property-based fuzzing (fast-check, fixed seed, bounded runs) of everything tadsr reads from a user's disk: the
 * safetensors reader, model.json, checkpoint state and every JSON config. Property: any input gives a result or
 * one of the reader's own clear errors, never a TypeError / RangeError / other raw error, and never a hang
 * (each property has a time limit).
 */
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DegradationConfigError, parseDegradationConfig } from '../../src/degradation/config.js';
import { ConfigError } from '../../src/graphs/config-json.js';
import { ModelDirError, initModelDir, readManifest } from '../../src/graphs/model-dir.js';
import { parsePretrainConfig } from '../../src/graphs/pretrain-config.js';
import { parseTrainConfig } from '../../src/graphs/train-config.js';
import { CheckpointReadError, readCheckpoint } from '../../src/graphs/training/run-files.js';
import { presets } from '../../src/models/presets.js';
import { SafetensorsFile, SafetensorsFormatError, writeSafetensors } from '../../src/models/safetensors.js';
import { ModelSpecError, validateModelSpec } from '../../src/models/schema.js';

const SEED = 20261201;
const RUNS = 120;
/** Per property: on a loaded machine fewer runs finish, and the suite stays bounded. */
const LIMIT_MS = 8_000;
const params = { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: LIMIT_MS, markInterruptAsFailure: false } as const;

let root: string;
let manifest: Record<string, unknown>;
let validSafetensors: Buffer;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tadsr-fuzz-'));
  const m = join(root, 'model');
  await initModelDir(m, 'tiny');
  manifest = JSON.parse((await import('node:fs')).readFileSync(join(m, 'model.json'), 'utf8')) as Record<string, unknown>;
  const p = join(root, 'valid.safetensors');
  await writeSafetensors(p, new Map([['a', { shape: [2, 3], data: new Float32Array(6).fill(0.5) }], ['b', { shape: [4], data: new Float32Array([1, 2, 3, 4]) }]]));
  validSafetensors = (await import('node:fs')).readFileSync(p);
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Run `f`; an error must be an instance of one of `allowed` (a clear, classed error). */
async function resultOrClearError(f: () => unknown, allowed: readonly (abstract new (...a: never[]) => Error)[]): Promise<void> {
  try {
    await f();
  } catch (err) {
    if (!allowed.some((C) => err instanceof C)) throw new Error(`raw error escaped: ${(err as Error)?.name}: ${(err as Error)?.message}`);
    expect((err as Error).message.length).toBeGreaterThan(0);
  }
}

let n = 0;
const file = (bytes: Uint8Array | string) => {
  const p = join(root, `f${n++}`);
  writeFileSync(p, bytes);
  return p;
};

/** A header entry: mostly well-formed, with every field sometimes of the wrong kind. */
const entry = fc.oneof(
  fc.record({
    dtype: fc.oneof(fc.constantFrom('F32', 'F16', 'BF16', 'I64', 'U8'), fc.jsonValue()),
    shape: fc.oneof(fc.array(fc.integer({ min: -2, max: 8 }), { maxLength: 4 }), fc.jsonValue()),
    data_offsets: fc.oneof(fc.tuple(fc.integer({ min: -4, max: 64 }), fc.integer({ min: -4, max: 64 })), fc.array(fc.double(), { maxLength: 3 }), fc.jsonValue()),
  }, { requiredKeys: [] }),
  fc.jsonValue(),
);
const header = fc.oneof(fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constant('__metadata__')), entry, { maxKeys: 4 }), fc.jsonValue());

function safetensorsBytes(h: unknown, data: Uint8Array, lengthDelta: number): Buffer {
  const text = Buffer.from(JSON.stringify(h) ?? 'null');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Math.max(0, text.length + lengthDelta)));
  return Buffer.concat([len, text, data]);
}

describe('fuzz: safetensors reader', () => {
  it('any header (and every tensor read from it): a result or a SafetensorsFormatError / named read error', async () => {
    await fc.assert(
      fc.asyncProperty(header, fc.uint8Array({ maxLength: 64 }), fc.constantFrom(0, 0, 0, -1, 1, 1000), async (h, data, delta) => {
        const p = file(safetensorsBytes(h, data, delta));
        await resultOrClearError(async () => {
          const f = await SafetensorsFile.open(p);
          try {
            for (const name of f.entries.keys()) {
              try {
                await f.read(name);
              } catch (err) {
                // an unsupported dtype is refused by name; nothing else may fail on a header that passed the checks
                if (!(err instanceof Error && err.constructor === Error && err.message.startsWith(`${p}: tensor "${name}" has dtype`))) throw err;
              }
            }
          } finally {
            await f.close();
          }
        }, [SafetensorsFormatError]);
      }),
      params,
    );
  });

  it('a valid file with bytes flipped or cut: a result or a SafetensorsFormatError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.option(fc.nat()), async (flips, cut) => {
        const b = Buffer.from(validSafetensors);
        for (const [i, v] of flips) b[i % b.length] = v;
        const p = file(cut === null ? b : b.subarray(0, cut % b.length));
        await resultOrClearError(async () => {
          const f = await SafetensorsFile.open(p);
          try {
            for (const name of f.entries.keys()) {
              try {
                await f.read(name);
              } catch (err) {
                if (!(err instanceof Error && err.message.startsWith(`${p}: tensor "${name}" has dtype`))) throw err;
              }
            }
          } finally {
            await f.close();
          }
        }, [SafetensorsFormatError]);
      }),
      params,
    );
  });
});

describe('fuzz: model.json', () => {
  const mutated = fc.tuple(fc.constantFrom('format', 'version', 'spec', 'formula', 'colorFix', 'defaultTs', 'files', 'textCondition', 'provenance'), fc.jsonValue()).map(([k, v]) => ({ ...manifest, [k]: v }));
  const nestedFiles = fc.record({ unet: fc.jsonValue(), vae: fc.jsonValue(), teacherUnet: fc.jsonValue() }, { requiredKeys: [] }).map((files) => ({ ...manifest, files }));
  it('any model.json: a manifest or a ModelDirError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, nestedFiles, fc.jsonValue(), fc.string({ maxLength: 40 })), async (j) => {
        const d = join(root, `m${n++}`);
        mkdirSync(d);
        writeFileSync(join(d, 'model.json'), typeof j === 'string' ? j : JSON.stringify(j) ?? '');
        await resultOrClearError(async () => {
          const m = await readManifest(d);
          // what is accepted is usable: the fields the loader reads have their types
          expect(typeof m.files.unet).toBe('string');
          expect(Number.isInteger(m.defaultTs)).toBe(true);
        }, [ModelDirError]);
      }),
      params,
    );
  });
});

describe('fuzz: checkpoint state', () => {
  it('any state.json: a checkpoint or a CheckpointReadError naming the file', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v) ?? ''), fc.string({ maxLength: 40 }), fc.record({ step: fc.jsonValue(), fingerprint: fc.string() }).map((v) => JSON.stringify(v))), async (text) => {
        const d = join(root, `c${n++}`);
        mkdirSync(d);
        writeFileSync(join(d, 'state.json'), text);
        await resultOrClearError(async () => {
          const ck = await readCheckpoint(d, []);
          expect(Number.isSafeInteger(ck.state.step)).toBe(true);
        }, [CheckpointReadError]);
      }),
      params,
    );
  });
});

describe('fuzz: JSON configs', () => {
  const keys = ['preset', 'teacher', 'data', 'out', 'steps', 'seed', 'lr', 'fakeLr', 'loraRank', 'weights', 'timeMapping', 'formula', 'vae', 'unet', 'init', 'spec', 'checkpointEvery', 'debug'];
  const dataKeys = ['hq', 'patch', 'batch', 'limit', 'degradation', 'bicubicFraction'];
  const config = fc.oneof(
    fc.jsonValue(),
    fc.dictionary(fc.constantFrom(...keys), fc.jsonValue(), { maxKeys: 6 }),
    fc.tuple(fc.dictionary(fc.constantFrom(...dataKeys), fc.jsonValue(), { maxKeys: 4 }), fc.dictionary(fc.constantFrom(...keys), fc.jsonValue(), { maxKeys: 4 })).map(([data, rest]) => ({ preset: 'tiny', out: 'o', ...rest, data: { hq: 'h', patch: 32, ...data } })),
  );
  it('train and pre-train configs: a config or a ConfigError', async () => {
    await fc.assert(
      fc.asyncProperty(config, async (c) => {
        await resultOrClearError(() => parseTrainConfig(c, 'fuzz.json', root), [ConfigError, DegradationConfigError]);
        await resultOrClearError(() => parsePretrainConfig(c, 'fuzz.json', root), [ConfigError, DegradationConfigError]);
      }),
      params,
    );
  });
  it('degradation configs: a config or a DegradationConfigError', async () => {
    const degKeys = ['gt_size', 'scale', 'usm', 'noise_range', 'jpeg_range', 'jpeg_range2', 'kernel_list', 'kernel_prob', 'blur_sigma', 'resize_range', 'sinc_prob', 'final_sinc_prob', 'betag_range', 'poisson_scale_range'];
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom(...degKeys), fc.jsonValue(), { maxKeys: 5 })), async (c) => {
        await resultOrClearError(() => parseDegradationConfig(c), [DegradationConfigError]);
      }),
      params,
    );
  });
  it('model specs: a spec or a ModelSpecError', async () => {
    const tiny = presets.tiny as unknown as Record<string, Record<string, unknown>>;
    const mutatedSpec = fc.tuple(fc.constantFrom('unet', 'vae'), fc.constantFrom(...Object.keys(tiny['unet']!), ...Object.keys(tiny['vae']!)), fc.jsonValue()).map(([net, k, v]) => ({ ...tiny, [net]: { ...tiny[net], [k]: v } }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), mutatedSpec), async (s) => {
        await resultOrClearError(() => validateModelSpec(s), [ModelSpecError]);
      }),
      params,
    );
  });
});
