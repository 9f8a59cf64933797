import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readModelDir } from '../../src/graphs/model-dir.js';
import { type TrainEvent, runTraining } from '../../src/graphs/train.js';
import { ConfigError, parseTrainConfig } from '../../src/graphs/train-config.js';
import { makeHqFolder } from '../helpers/hq-folder.js';

let hq: string;
beforeAll(async () => {
  hq = await makeHqFolder(3, 48, { corrupt: true });
});

function cfg(extra: Record<string, unknown>) {
  const out = mkdtempSync(join(tmpdir(), 'tadsr-run-'));
  return parseTrainConfig({ preset: 'tiny', data: { hq, patch: 32 }, out, lr: 2e-3, fakeLr: 1e-3, ...extra });
}

async function run(c: ReturnType<typeof cfg>, opts = {}): Promise<TrainEvent[]> {
  const events: TrainEvent[] = [];
  await runTraining(c, opts, (e) => events.push(e));
  return events;
}

const steps = (ev: TrainEvent[]) => ev.filter((e): e is Extract<TrainEvent, { type: 'step' }> => e.type === 'step');

describe('distillation graph (tiny preset)', () => {
  it('losses are finite and fall on a fixed batch; JSONL has every term; a model dir comes out', async () => {
    const c = cfg({ steps: 8, checkpointEvery: 8, debug: { fixedBatch: true, fixedTs: 300 } });
    const ev = await run(c);
    const s = steps(ev);
    expect(s).toHaveLength(8);
    for (const r of s) for (const v of [r.loss_mse, r.loss_tavsd!, r.loss_student, r.loss_diffusion]) expect(Number.isFinite(v)).toBe(true);
    const first = s.slice(0, 2).reduce((a, r) => a + r.loss_mse, 0);
    const last = s.slice(-2).reduce((a, r) => a + r.loss_mse, 0);
    expect(last).toBeLessThan(first);
    const lines = readFileSync(join(c.out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(8);
    expect(Object.keys(lines[0]!)).toEqual(expect.arrayContaining(['loss_mse', 'loss_tavsd', 'loss_lpips', 'loss_diffusion', 'loss_student', 'tS', 'tV']));
    expect(lines[0]!['tV']).toEqual([150]);
    expect(lines[0]!['tS']).toEqual([300]);
    const m = await readModelDir(join(c.out, 'model'));
    expect(m.manifest.formula).toBe('ddpm-x0');
    expect(m.manifest.provenance['source']).toBe('tadsr train');
  });

  it('resume continues the same run: the next steps equal an uninterrupted run', async () => {
    const a = cfg({ steps: 4, checkpointEvery: 2 });
    const straightEv = await run(a, { skipExport: true });
    const straight = steps(straightEv);
    // the corrupt file in the folder is reported once and skipped; the run goes on
    expect(straightEv.filter((e) => e.type === 'warning' && /broken\.png/.test(e.message))).toHaveLength(1);
    const b = { ...a, out: mkdtempSync(join(tmpdir(), 'tadsr-run-')) };
    const firstHalf = steps(await run(b, { stopAfter: 2 }));
    expect(firstHalf).toHaveLength(2);
    expect(existsSync(join(b.out, 'checkpoints', 'step-000002', 'student.safetensors'))).toBe(true);
    const tf = await import('@tensorflow/tfjs-core');
    const before = tf.memory().numTensors;
    const resumed = steps(await run(b, { resume: true, skipExport: true }));
    expect(tf.memory().numTensors).toBe(before);
    expect(resumed.map((r) => r.step)).toEqual([3, 4]);
    for (let i = 0; i < 2; i++) {
      expect(resumed[i]!.tS).toEqual(straight[i + 2]!.tS);
      expect(resumed[i]!.tFake).toEqual(straight[i + 2]!.tFake);
      expect(resumed[i]!.samples).toEqual(straight[i + 2]!.samples);
      expect(resumed[i]!.loss_student).toBeCloseTo(straight[i + 2]!.loss_student, 4);
      expect(resumed[i]!.loss_diffusion).toBeCloseTo(straight[i + 2]!.loss_diffusion, 4);
    }
  });

  it('ablations run: tae false (plain encoder) and tavsd false (t_v uniform), with LPIPS by path', async () => {
    const lpipsWeights = new URL('../fixtures/lpips/weights.safetensors', import.meta.url).pathname;
    const c = cfg({ steps: 2, tae: false, tavsd: false, checkpointEvery: 2, lpipsWeights });
    const tf = await import('@tensorflow/tfjs-core');
    const before = tf.memory().numTensors;
    const ev = await run(c);
    expect(tf.memory().numTensors).toBe(before); // every tensor of the run is released
    // LPIPS (random small fixture weights) is on and finite
    expect(steps(ev).every((r) => r.loss_lpips !== null && Number.isFinite(r.loss_lpips))).toBe(true);
    const m = await readModelDir(join(c.out, 'model'));
    expect(m.manifest.spec.tae).toBeUndefined();
    expect(steps(ev).every((r) => r.tV !== null && r.tV.every((t) => t >= 20 && t < 980))).toBe(true);
  });

  it('the frozen teacher on ONNX Runtime gives the same step as on TF.js', async () => {
    const a = steps(await run(cfg({ steps: 2, checkpointEvery: 2, teacherBackend: 'tfjs' }), { skipExport: true }));
    const b = steps(await run(cfg({ steps: 2, checkpointEvery: 2, teacherBackend: 'onnx' }), { skipExport: true }));
    for (let i = 0; i < 2; i++) {
      expect(b[i]!.loss_tavsd).toBeCloseTo(a[i]!.loss_tavsd!, 4);
      expect(b[i]!.loss_student).toBeCloseTo(a[i]!.loss_student, 4);
    }
  });

  it('bad configs and mismatched checkpoints give one clear message', async () => {
    expect(() => parseTrainConfig({ preset: 'tiny', data: { hq: 'x', patch: 10 }, out: 'o' })).toThrow(/data\.patch: must be >= 16/);
    expect(() => parseTrainConfig({ preset: 'tiny', data: { hq: 'x' }, out: 'o', bogus: 1 })).toThrow(/bogus: unknown key/);
    expect(() => parseTrainConfig({ data: { hq: 'x' }, out: 'o' })).toThrow(ConfigError);
    const a = cfg({ steps: 1, checkpointEvery: 1 });
    await run(a, { skipExport: true });
    await expect(run({ ...a, loraRank: 2, steps: 2 }, { resume: true })).rejects.toThrow(/another model\/config/);
  });

  it('a checkpoint without the fake score\'s conv_in LoRA (older runs) resumes with fakeLoraConvIn false, and says what to set otherwise', async () => {
    const a = cfg({ steps: 1, checkpointEvery: 1, fakeLoraConvIn: false });
    await run(a, { skipExport: true });
    await expect(run({ ...a, fakeLoraConvIn: true, steps: 2 }, { resume: true, skipExport: true })).rejects.toThrow(/without the fake score's conv_in LoRA; set "fakeLoraConvIn": false/);
    const resumed = steps(await run({ ...a, steps: 2 }, { resume: true, skipExport: true }));
    expect(resumed.map((r) => r.step)).toEqual([2]);
    const b = cfg({ steps: 1, checkpointEvery: 1 });
    expect(b.fakeLoraConvIn, 'official default for new runs').toBe(true);
    await run(b, { skipExport: true });
    await expect(run({ ...b, fakeLoraConvIn: false, steps: 2 }, { resume: true, skipExport: true })).rejects.toThrow(/with the fake score's conv_in LoRA; set "fakeLoraConvIn": true/);
  });
});
