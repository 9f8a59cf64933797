/**
 * Prompts in the graph, on a tiny model with the fixture CLIP text encoder (width 32 = the tiny UNet's
 * cross-attention width) and tokenizer: the official prompt per image, the empty prompt's real embedding (matching
 * transformers), encoded once per model; models without a text encoder unchanged and refusing prompts.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom, toArray } from 'rxjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/backends/backend.js';
import { type UpscaleEvent, UsageError, Upscaler, upscale } from '../../src/graphs/infer.js';
import { initModelDir, modelFacts, readModelDir, writeModelDir } from '../../src/graphs/model-dir.js';
import { initParams } from '../../src/models/params.js';
import { presets } from '../../src/models/presets.js';
import { readSafetensors } from '../../src/models/safetensors.js';
import type { ModelSpec, TextEncoderSpec } from '../../src/models/specs.js';
import { encodePrompt } from '../../src/operators/encode-prompt.js';
import { encode } from '../../src/operators/encode.js';
import { denoise } from '../../src/operators/denoise.js';
import { createImage } from '../../src/image.js';
import { isFrameError } from '../../src/frame.js';
import { officialPrompt, readTagsFile, TagsFileError } from '../../src/text/prompt.js';
import { PARITY_TOLERANCE, relativeError } from '../fixtures/parity/load-fixture.js';

const CLIP = new URL('../fixtures/clip/', import.meta.url).pathname;
const textSpec = JSON.parse(readFileSync(`${CLIP}text.spec.json`, 'utf8')) as TextEncoderSpec;
const spec: ModelSpec = { ...presets.tiny, text: textSpec };

let root: string;
let textModel: string;
let plainModel: string;
let inDir: string;
let up: Upscaler;
let plain: Upscaler;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tadsr-prompts-'));
  textModel = join(root, 'text-model');
  plainModel = join(root, 'plain-model');
  const w = initParams(spec, 5);
  await writeModelDir(textModel, spec, { ...w, text: await readSafetensors(`${CLIP}text.safetensors`) }, { tokenizerDir: `${CLIP}tokenizer` });
  await initModelDir(plainModel, 'tiny', { seed: 5 });
  inDir = join(root, 'in');
  mkdirSync(inDir);
  const px = (n: number, k: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * k) % 256));
  await sharp(px(16 * 16 * 3, 37), { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(join(inDir, 'a.png'));
  await sharp(px(16 * 16 * 3, 37), { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(join(inDir, 'b.png'));
  up = await Upscaler.load(textModel);
  plain = await Upscaler.load(plainModel);
});
afterAll(async () => {
  await up?.dispose();
  await plain?.dispose();
  rmSync(root, { recursive: true, force: true });
});

async function run(dir: string, opts: Parameters<typeof upscale>[2]): Promise<{ events: UpscaleEvent[]; out: string }> {
  const out = join(root, `out-${Math.random().toString(36).slice(2)}`);
  const events = await lastValueFrom(upscale([dir], out, opts).pipe(toArray()));
  return { events, out };
}

describe('prompts', () => {
  it('officialPrompt is "{tags}, {prompt}," and "" with neither', () => {
    expect(officialPrompt('building, sky', 'clean, 8k')).toBe('building, sky, clean, 8k,');
    expect(officialPrompt('building', undefined)).toBe('building, ,');
    expect(officialPrompt(undefined, 'clean')).toBe(', clean,');
    expect(officialPrompt(undefined, undefined)).toBe('');
  });

  it('reads a JSON-lines tags file keyed by file name without extension; bad lines name the line', async () => {
    const f = join(root, 'tags.jsonl');
    writeFileSync(f, '{"name": "dir/a.png", "tags": "building, sky"}\n\n{"name": "b", "tags": "cat"}\n');
    expect([...(await readTagsFile(f))]).toEqual([['a', 'building, sky'], ['b', 'cat']]);
    writeFileSync(f, '{"name": "a.png", "tags": "x"}\n{"name": "a.jpg", "tags": "y"}\n');
    await expect(readTagsFile(f)).rejects.toThrow(/:2: "a.jpg" is tagged twice/);
    writeFileSync(f, '{"name": "a.png", "tags": 3}\n');
    await expect(readTagsFile(f)).rejects.toThrow(TagsFileError);
    await expect(readTagsFile(join(root, 'missing.jsonl'))).rejects.toThrow(/cannot read tags file/);
  });

  it('a model folder with a text encoder loads it with its tokenizer', async () => {
    const m = await readModelDir(textModel);
    expect(m.manifest.textCondition).toBe('prompt');
    expect(m.manifest.files).toMatchObject({ textEncoder: 'text-encoder.safetensors', tokenizer: 'tokenizer' });
    expect(m.weights.text?.size).toBe(52);
    expect(up.prompts).not.toBeNull();
    expect(plain.prompts).toBeNull();
  });

  it('a manifest whose spec has text but names no text files is refused', async () => {
    const bad = join(root, 'bad-model');
    mkdirSync(bad);
    const m = JSON.parse(readFileSync(join(textModel, 'model.json'), 'utf8')) as { files: Record<string, string> };
    delete m.files['tokenizer'];
    writeFileSync(join(bad, 'model.json'), JSON.stringify(m));
    await expect(readModelDir(bad)).rejects.toThrow(/files\.textEncoder and files\.tokenizer are required/);
  });

  it('no prompt: the empty prompt\'s real embedding (transformers\' at 1e-4, not zeros), computed once per model', async () => {
    const io = Object.fromEntries(await readSafetensors(`${CLIP}text_io.safetensors`));
    const prompts = JSON.parse(readFileSync(`${CLIP}text_prompts.json`, 'utf8')) as string[];
    expect(prompts[0]).toBe('');
    const ctx = (await up.contextFor(undefined))!;
    expect(ctx.shape).toEqual([1, 77, 32]);
    const ref = io.last_hidden_state!.data.subarray(0, 77 * 32);
    expect(relativeError(ctx.data, ref)).toBeLessThan(PARITY_TOLERANCE);
    expect(Math.max(...ctx.data.map(Math.abs))).toBeGreaterThan(0.1);
    const before = up.prompts!.encoded;
    await run(inDir, { upscaler: up });
    await run(inDir, { upscaler: up });
    expect(up.prompts!.encoded).toBe(before); // two runs of two images: the cached empty-prompt embedding
  });

  it('--prompt and --tags build each image\'s prompt; the prompt changes the image', async () => {
    const tags = join(root, 'run-tags.jsonl');
    writeFileSync(tags, '{"name": "a.png", "tags": "building, sky"}\n{"name": "b.png", "tags": "cat, dog, grass"}\n');
    const empty = await run(inDir, { upscaler: up });
    const tagged = await run(inDir, { upscaler: up, tags, prompt: 'clean, high-resolution, 8k' });
    expect(tagged.events.at(-1)).toEqual({ type: 'done', ok: 2, failed: 0 });
    const bytes = (o: string, f: string) => readFileSync(join(o, f));
    // a.png and b.png have the same pixels: only their prompts differ
    expect(bytes(empty.out, 'a.png').equals(bytes(empty.out, 'b.png'))).toBe(true);
    expect(bytes(tagged.out, 'a.png').equals(bytes(tagged.out, 'b.png'))).toBe(false);
    expect(bytes(tagged.out, 'a.png').equals(bytes(empty.out, 'a.png'))).toBe(false);
    // an image without tags is reported and skipped
    writeFileSync(tags, '{"name": "a.png", "tags": "building"}\n');
    const partial = await run(inDir, { upscaler: up, tags });
    expect(partial.events.filter((e) => e.type === 'error').map((e) => (e as { message: string }).message)).toEqual([expect.stringMatching(/no tags for b/)]);
  });

  it('encodePrompt gives each frame its prompt and embedding', async () => {
    const frames = await lastValueFrom(
      from([{ id: 'a' }, { id: 'b' }]).pipe(encodePrompt(up.prompts, up.facts, { prompt: 'clean', tags: new Map([['a', 'sky']]) }), toArray()),
    );
    const [a, b] = frames;
    expect(isFrameError(a)).toBe(false);
    expect(isFrameError(b)).toBe(true); // no tags for b
    const fa = a as { prompt: string; context: HostTensor };
    expect(fa.prompt).toBe('sky, clean,');
    expect(Array.from(fa.context.data)).toEqual(Array.from((await up.prompts!.encode('sky, clean,')).data));
  });

  it('denoise reads the frame\'s context: encodePrompt → encode → denoise', async () => {
    const lq = createImage(16, 16, new Float32Array(16 * 16 * 3).map((_, i) => 0.5 + 0.4 * Math.sin(i / 7)));
    const frames = await lastValueFrom(
      from([{ id: 'a', lq }, { id: 'b', lq }, { id: 'c', lq }]).pipe(
        encodePrompt(up.prompts, up.facts, { tags: new Map([['a', 'sky'], ['b', 'cat, dog'], ['c', 'sky']]) }),
        encode(up.backend, up.facts, { tS: 500 }),
        denoise(up.backend, up.facts, { formula: 'official' }),
        toArray(),
      ),
    );
    const z = frames.map((f) => (f as { zHat: HostTensor }).zHat.data);
    expect(relativeError(z[0]!, z[2]!)).toBe(0); // same prompt, same image
    expect(relativeError(z[0]!, z[1]!)).toBeGreaterThan(1e-3); // the prompt reaches the UNet
  });

  it('models without a text encoder keep their zero condition and refuse prompts', async () => {
    const facts = modelFacts(presets.tiny);
    const [f] = await lastValueFrom(from([{ id: 'a' }]).pipe(encodePrompt(null, facts), toArray()));
    const ctx = (f as { context: HostTensor }).context;
    expect(ctx.shape).toEqual([1, 1, 32]);
    expect(ctx.data.every((v) => v === 0)).toBe(true);
    expect(() => encodePrompt(null, facts, { prompt: 'x' })).toThrow(/no text encoder/);
    await expect(run(inDir, { upscaler: plain, prompt: 'clean' })).rejects.toThrow(UsageError);
    const ok = await run(inDir, { upscaler: plain });
    expect(ok.events.at(-1)).toEqual({ type: 'done', ok: 2, failed: 0 });
  });
});

describe('tadsr upscale --prompt --tags (CLI)', () => {
  it('writes the images; a text-free model refuses --prompt with exit code 2', async () => {
    const { main } = await import('../../src/cli/main.js');
    const tags = join(root, 'cli-tags.jsonl');
    writeFileSync(tags, '{"name": "a.png", "tags": "building, sky"}\n{"name": "b.png", "tags": "cat"}\n');
    const out = join(root, 'cli-out');
    const code = await main(['node', 'tadsr', 'upscale', inDir, '-o', out, '--model', textModel, '--tags', tags, '--prompt', 'clean, 8k', '--quiet']);
    expect(code).toBe(0);
    expect((await sharp(join(out, 'a.png')).metadata()).width).toBe(64);
    // fresh output folders: an existing output would be refused (exit 2) before these checks are reached
    expect(await main(['node', 'tadsr', 'upscale', inDir, '-o', `${out}-plain`, '--model', plainModel, '--prompt', 'x', '--quiet'])).toBe(2);
    expect(await main(['node', 'tadsr', 'upscale', inDir, '-o', `${out}-tags`, '--model', textModel, '--tags', join(root, 'nope.jsonl'), '--quiet'])).toBe(2);
  });
});
