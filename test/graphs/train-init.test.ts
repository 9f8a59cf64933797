/**
 * Fine-tuning a distilled student (`"init"`) on part of the dial (`"tsRange"`): the student starts from the init
 * model's weights, not the teacher's; the teacher stays the teacher's UNet; t_s comes only from the range.
 */
import { mkdtempSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initModelDir, readModelDir } from '../../src/graphs/model-dir.js';
import { Upscaler } from '../../src/graphs/upscaler.js';
import { createImage, type RgbImage } from '../../src/image.js';
import { psnr } from '../../src/metrics/psnr.js';
import { type TrainEvent, runTraining } from '../../src/graphs/train.js';
import { parseTrainConfig } from '../../src/graphs/train-config.js';
import { drawTimesteps } from '../../src/graphs/training/per-sample.js';
import type { WeightMap } from '../../src/models/params.js';
import { OFFICIAL_TS } from '../../src/schedule/timesteps.js';
import { makeHqFolder } from '../helpers/hq-folder.js';

let hq: string;
let root: string;
let teacher: string;
beforeAll(async () => {
  hq = await makeHqFolder(2, 48);
  root = mkdtempSync(join(tmpdir(), 'tadsr-init-'));
  teacher = join(root, 'teacher');
  await initModelDir(teacher, 'tiny', { seed: 4 });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function cfg(name: string, extra: Record<string, unknown>) {
  return parseTrainConfig({ teacher, data: { hq, patch: 32 }, out: join(root, name), lr: 2e-3, fakeLr: 1e-3, checkpointEvery: 100, ...extra });
}

async function run(c: ReturnType<typeof cfg>): Promise<TrainEvent[]> {
  const events: TrainEvent[] = [];
  await runTraining(c, {}, (e) => events.push(e));
  return events;
}

function image(w: number, h: number, f: (x: number, y: number) => [number, number, number]): RgbImage {
  const d = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) d.set(f(x, y), 3 * (y * w + x));
  return createImage(w, h, d);
}

function maxAbsDiff(a: WeightMap, b: WeightMap): number {
  let m = 0;
  for (const [k, t] of a) {
    const u = b.get(k)!.data;
    for (let i = 0; i < t.data.length; i++) m = Math.max(m, Math.abs(t.data[i]! - u[i]!));
  }
  return m;
}

describe('fine-tuning a student: init and tsRange', () => {
  it('the student starts from the init model, the teacher stays; t_s only from the range; provenance names the init', async () => {
    const a = cfg('a', { steps: 3 });
    await run(a);
    const student = join(a.out, 'model');
    // lr ≈ 0: the exported model is the start (LoRA B starts at zero, so merged = base)
    const b = cfg('b', { steps: 3, init: student, lr: 1e-12, fakeLr: 1e-12, tsRange: { min: 600, max: 700 } });
    const ev = await run(b);
    const tS = ev.flatMap((e) => (e.type === 'step' ? e.tS : []));
    expect(tS).toHaveLength(3);
    for (const t of tS) expect(OFFICIAL_TS.filter((v) => v >= 600 && v <= 700)).toContain(t);
    const [start, out, teach] = await Promise.all([readModelDir(student), readModelDir(join(b.out, 'model'), { teacher: true }), readModelDir(teacher, { teacher: true })]);
    expect(maxAbsDiff(teach.weights.unet, start.weights.unet), 'run a moved the student away from the teacher').toBeGreaterThan(1e-4);
    expect(maxAbsDiff(out.weights.unet, start.weights.unet), 'student UNet starts from init').toBeLessThan(1e-6);
    expect(maxAbsDiff(out.weights.vae, start.weights.vae), 'student VAE (time-aware encoder) starts from init').toBeLessThan(1e-6);
    expect(out.manifest.provenance['init']).toBe(student);
    expect(out.manifest.provenance['teacher']).toBe(teacher);
  });

  it('a run resumes on the same init weights wherever they lie, and refuses other weights', async () => {
    const a = cfg('r-start', { steps: 1 });
    await run(a);
    const moved = join(root, 'moved-init');
    await cp(join(a.out, 'model'), moved, { recursive: true });
    const b = cfg('r', { steps: 1, checkpointEvery: 1, init: join(a.out, 'model') });
    await runTraining(b, { skipExport: true }, () => {});
    const resumed: TrainEvent[] = [];
    await runTraining({ ...b, init: moved, steps: 2 }, { resume: true, skipExport: true }, (e) => resumed.push(e));
    expect(resumed.filter((e) => e.type === 'step').map((e) => (e as { step: number }).step)).toEqual([2]);
    await expect(runTraining({ ...b, init: teacher, steps: 3 }, { resume: true, skipExport: true }, () => {})).rejects.toThrow(/the init's weights differ/);
  });

  it('the anchor holds the student\'s low-t_s output to its start while another range trains', async () => {
    const a = cfg('anchor-start', { steps: 3 });
    await run(a);
    const start = join(a.out, 'model');
    const base = { steps: 12, init: start, lr: 2e-3, tsRange: { min: 600, max: 999 } };
    const free = cfg('anchor-off', base);
    const held = cfg('anchor-on', { ...base, anchor: { weight: 200, maxTs: 300 } });
    const offEv = await run(free);
    const onEv = await run(held);
    const recs = (ev: TrainEvent[]) => ev.flatMap((e) => (e.type === 'step' ? [e] : []));
    for (const r of recs(offEv)) expect([r.tAnchor, r.loss_anchor]).toEqual([null, null]);
    const on = recs(onEv);
    for (const r of on) for (const t of r.tAnchor!) expect(OFFICIAL_TS.filter((v) => v <= 300)).toContain(t);
    expect(on[0]!.loss_anchor, 'the student is its start before the first update').toBeLessThan(1e-10);
    expect(on.slice(1).some((r) => r.loss_anchor! > 0)).toBe(true);
    // the same draws with and without the anchor: only the anchor differs
    expect(on.map((r) => r.tS)).toEqual(recs(offEv).map((r) => r.tS));
    const lq = image(12, 12, (x, y) => [(x * 21) % 255 / 255, (y * 17) % 255 / 255, ((x + y) * 11) % 255 / 255]);
    const outAt = async (dir: string, tS: number) => {
      const up = await Upscaler.load(dir);
      try {
        return await up.upscale(lq, { tS });
      } finally {
        await up.dispose();
      }
    };
    const ref = await outAt(start, 101);
    const dOff = psnr(await outAt(join(free.out, 'model'), 101), ref);
    const dOn = psnr(await outAt(join(held.out, 'model'), 101), ref);
    expect(dOn, `PSNR to the start at t_s 101: anchored ${dOn.toFixed(1)} dB, free ${dOff.toFixed(1)} dB`).toBeGreaterThan(dOff + 3);
  });

  it('an init of another spec, an init without a teacher and an empty tsRange are refused with a clear message', async () => {
    const plain = cfg('plain', { steps: 1, tae: false });
    await run(plain);
    await expect(run(cfg('c', { steps: 1, init: join(plain.out, 'model') }))).rejects.toThrow(/init: .* its tae spec differs from the teacher's/);
    expect(() => parseTrainConfig({ preset: 'tiny', init: teacher, data: { hq }, out: 'o' })).toThrow(/"init" needs a "teacher"/);
    expect(() => cfg('d', { tsRange: { min: 2, max: 20 } })).toThrow(/tsRange: no training t_s .* in \[2, 20\]/);
  });

  it('drawTimesteps: the range keeps the draws of the official values inside it, all values reachable', () => {
    const seen = new Set<number>();
    for (let step = 1; step <= 400; step++) {
      for (const t of drawTimesteps({ seed: 3, batch: 2, timesteps: 'per-sample', tavsd: true, timeMapping: { lambda: 0.5, gamma: 0 }, tsRange: { min: 500, max: 999 } }, step).tS) seen.add(t);
    }
    expect([...seen].sort((x, y) => x - y)).toEqual(OFFICIAL_TS.filter((t) => t >= 500));
  });
});
