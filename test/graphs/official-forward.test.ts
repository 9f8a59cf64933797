/**
 * `tadsr upscale --model <exported> --prompt …` against the official TADSR inference reproduced in Python
 * (tools/make_official_fixture.py): a random tiny SD with a CLIP text encoder, a fake TADSR checkpoint in the
 * authors' format exported by tools/export_checkpoint.py (text encoder and tokenizer included), and the official
 * steps — bicubic ×4, TAE at t_s, UNet on the prompt's embeddings, ẑ = z/α − ε, decode, AdaIN — at 1e-4.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Upscaler } from '../../src/graphs/upscaler.js';
import { createImage, type RgbImage } from '../../src/image.js';
import { readSafetensors } from '../../src/models/safetensors.js';
import { officialPrompt } from '../../src/text/prompt.js';
import { relativeError } from '../fixtures/parity/load-fixture.js';

const DIR = new URL('../fixtures/official/', import.meta.url).pathname;
const ref = await readSafetensors(`${DIR}reference.safetensors`);
const p = JSON.parse(readFileSync(`${DIR}prompt.json`, 'utf8')) as { tags: string; prompt: string; tS: number; full: string };
const lqT = ref.get('lq')!;
const lq: RgbImage = createImage(lqT.shape[1]!, lqT.shape[0]!, Float32Array.from(lqT.data));

let up: Upscaler;
beforeAll(async () => {
  up = await Upscaler.load(`${DIR}model`);
});
afterAll(async () => {
  await up?.dispose();
});

describe('exported TADSR with text = the official forward', () => {
  it('the exported model conditions on prompts with the official formula', () => {
    expect(up.model.manifest.textCondition).toBe('prompt');
    expect(up.model.manifest.formula).toBe('official');
    expect(officialPrompt(p.tags, p.prompt)).toBe(p.full);
  });

  it('prompt embeddings equal encode_prompt\'s', async () => {
    const ctx = (await up.contextFor(p.full))!;
    expect(relativeError(ctx.data, ref.get('prompt_embeds')!.data)).toBeLessThan(1e-4);
  });

  it('the SR image equals the official pipeline\'s at 1e-4, with the tags + prompt and with the empty prompt', async () => {
    const opts = { tS: p.tS, tile: 64, colorFix: 'adain' as const };
    const sr = await up.upscale(lq, { ...opts, prompt: officialPrompt(p.tags, p.prompt) });
    expect([sr.width, sr.height]).toEqual([lq.width * 4, lq.height * 4]);
    expect(relativeError(sr.data, ref.get('sr')!.data)).toBeLessThan(1e-4);
    const plain = await up.upscale(lq, opts);
    expect(relativeError(plain.data, ref.get('sr_empty_prompt')!.data)).toBeLessThan(1e-4);
    // the prompt matters on this model (else the first comparison would not test the text path)
    expect(relativeError(plain.data, ref.get('sr')!.data)).toBeGreaterThan(1e-2);
  });
});
