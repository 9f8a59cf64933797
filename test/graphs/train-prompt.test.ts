/**
 * Classifier-free guidance in `tadsr train` when the teacher reads text: the config's `prompt` / `negativePrompt`
 * are encoded by the teacher model's own CLIP text encoder (the tiny SD fixture with a text encoder and tokenizer,
 * test/fixtures/official/model) and guide the teacher's score; the student's forward does not read them. The
 * formula itself (ε_u + (7.5 + t_v/200)(ε_c − ε_u) per sample, down to the student's gradient) is checked against
 * a reference in train-wiring.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TrainEvent, TrainError, runTraining } from '../../src/graphs/train.js';
import { parseTrainConfig } from '../../src/graphs/train-config.js';
import { makeHqFolder } from '../helpers/hq-folder.js';

const teacher = new URL('../fixtures/official/model', import.meta.url).pathname;
let hq: string;
const outs: string[] = [];
beforeAll(async () => {
  hq = await makeHqFolder(2, 40);
});
afterAll(() => {
  for (const d of [hq, ...outs]) rmSync(d, { recursive: true, force: true });
});

async function oneStep(extra: Record<string, unknown>): Promise<TrainEvent[]> {
  const out = mkdtempSync(join(tmpdir(), 'tadsr-prompt-'));
  outs.push(out);
  const cfg = parseTrainConfig({ teacher, data: { hq, patch: 32, batch: 2 }, out, seed: 1, steps: 1, checkpointEvery: 1, weights: { mse: 1, lpips: 0, tavsd: 1 }, debug: { fixedBatch: true }, ...extra });
  const events: TrainEvent[] = [];
  await runTraining(cfg, { skipExport: true }, (e) => events.push(e));
  return events;
}
const stepOf = (ev: TrainEvent[]) => ev.find((e): e is Extract<TrainEvent, { type: 'step' }> => e.type === 'step')!;
const notesOf = (ev: TrainEvent[]) => ev.find((e): e is Extract<TrainEvent, { type: 'start' }> => e.type === 'start')!.notes.join('\n');

describe('training with a text-conditioned teacher', () => {
  it('the prompt guides the teacher (TF.js and ONNX teacher alike); the student forward does not read it', async () => {
    const plain = await oneStep({});
    const guided = await oneStep({ prompt: 'a clean photo, sharp, 8k', negativePrompt: 'blurry, lowres' });
    const onnx = await oneStep({ prompt: 'a clean photo, sharp, 8k', negativePrompt: 'blurry, lowres', teacherBackend: 'onnx' });
    expect(notesOf(plain)).toMatch(/no prompt\); teacher CFG is an identity/);
    expect(notesOf(guided)).toMatch(/teacher CFG on "a clean photo, sharp, 8k" vs "blurry, lowres"/);
    const [p, g, o] = [stepOf(plain), stepOf(guided), stepOf(onnx)];
    expect(g.tV).toEqual(p.tV);
    expect(g.loss_mse, 'the student forward is the same').toBeCloseTo(p.loss_mse, 6);
    expect(Math.abs(g.loss_tavsd! - p.loss_tavsd!), 'the guided teacher changes the TAVSD term').toBeGreaterThan(1e-4 * Math.abs(p.loss_tavsd!));
    expect(Math.abs(g.grad_norm - p.grad_norm), 'and the student gradient').toBeGreaterThan(1e-6);
    expect(o.loss_tavsd!, 'ONNX teacher backend = TF.js teacher, with CFG').toBeCloseTo(g.loss_tavsd!, 4);
    expect(o.grad_norm).toBeCloseTo(g.grad_norm, 4);
  }, 600_000);

  it('a prompt needs a teacher with a text encoder', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tadsr-prompt-'));
    outs.push(out);
    const cfg = parseTrainConfig({ preset: 'tiny', data: { hq, patch: 32 }, out, steps: 1, prompt: 'a photo' });
    await expect(runTraining(cfg, { skipExport: true }, () => {})).rejects.toThrow(TrainError);
    await expect(runTraining(cfg, { skipExport: true }, () => {})).rejects.toThrow(/"prompt" needs a teacher model with a text encoder/);
  });
});
