/**
 * The committed small-taef2 run (models/small-taef2/snapshot: the teacher and the step-1050 distillation
 * checkpoint) still resumes with the committed decay config after the training changes that altered defaults:
 * distill-decay.json pins the earlier behaviours (one t per step, no SR clamp, posterior mean, no conv_in in the
 * fake LoRA), and a config that does not pin `fakeLoraConvIn` is told which value to set. One real step on the
 * restored run (small-taef2 preset, 128² patches, batch 2; the HQ images are synthetic).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StepRecord, runTraining } from '../../src/graphs/train.js';
import { parseTrainConfig } from '../../src/graphs/train-config.js';
import { makeHqFolder } from '../helpers/hq-folder.js';

const dir = new URL('../../models/small-taef2/', import.meta.url).pathname;
const snap = join(dir, 'snapshot');
const decay = JSON.parse(readFileSync(join(dir, 'distill-decay.json'), 'utf8')) as Record<string, unknown>;

let root: string;
let hq: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tadsr-resume-'));
  hq = await makeHqFolder(2, 144);
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(hq, { recursive: true, force: true });
});

/** The decay config on the restored snapshot (teacher and run folder as `train.sh restore` lays them out). */
function restored(name: string, overrides: Record<string, unknown> = {}) {
  const out = join(root, name);
  cpSync(join(snap, 'distill', 'checkpoints'), join(out, 'checkpoints'), { recursive: true });
  const json = { ...decay, teacher: join(snap, 'teacher'), data: { ...(decay['data'] as object), hq }, out, ...overrides };
  return parseTrainConfig(json, 'distill-decay.json', dir);
}

describe.skipIf(!existsSync(join(snap, 'distill', 'checkpoints', 'step-001050')))('committed small-taef2 checkpoint (step 1050)', () => {
  it('resumes with distill-decay.json: the next step is 1051 and its losses are finite', async () => {
    const cfg = restored('pinned');
    expect([cfg.timesteps, cfg.clampSr, cfg.encoderSample, cfg.fakeLoraConvIn]).toEqual(['per-batch', false, false, false]);
    const steps: StepRecord[] = [];
    await runTraining({ ...cfg, steps: 1051 }, { resume: true, skipExport: true, stopAfter: 1 }, (e) => {
      if (e.type === 'step') steps.push(e);
    });
    expect(steps.map((s) => s.step)).toEqual([1051]);
    const s = steps[0]!;
    expect(new Set(s.tS).size, 'one t_s per step, as the run was made').toBe(1);
    for (const v of [s.loss_mse, s.loss_lpips!, s.loss_tavsd!, s.loss_diffusion]) expect(Number.isFinite(v)).toBe(true);
  }, 900_000);

  it('a config without the pin (new defaults) is refused before any step, naming the key to set', async () => {
    const unpinned = restored('unpinned', { fakeLoraConvIn: undefined });
    expect(unpinned.fakeLoraConvIn).toBe(true);
    await expect(runTraining({ ...unpinned, steps: 1051 }, { resume: true, skipExport: true, stopAfter: 1 }, () => {})).rejects.toThrow(
      /written without the fake score's conv_in LoRA; set "fakeLoraConvIn": false/,
    );
  }, 900_000);
});
