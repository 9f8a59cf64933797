/**
 * Training that cannot fail silently: a diverged run stops with the step and the term and keeps its last good
 * checkpoint; one run per folder; corrupt checkpoints name themselves and resume falls back past them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTraining } from '../../src/graphs/train.js';
import { parseTrainConfig } from '../../src/graphs/train-config.js';
import { assertFiniteStep } from '../../src/graphs/training/guards.js';
import { CheckpointReadError, readLatestCheckpoint, writeCheckpoint } from '../../src/graphs/training/run-files.js';
import { RunLockError, acquireRunLock } from '../../src/io/run-lock.js';
import { runCli, snapshot } from '../helpers/cli-run.js';
import { makeHqFolder } from '../helpers/hq-folder.js';

let root: string;
let hq: string;
const children: ChildProcess[] = [];
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'tadsr-guards-'));
  hq = await makeHqFolder(2, 40);
});
afterAll(() => {
  for (const c of children) c.kill();
  rmSync(root, { recursive: true, force: true });
  rmSync(hq, { recursive: true, force: true });
});

describe('non-finite loss or gradient', () => {
  it('lr 1e6: the run stops at the first bad step naming it and the term, exit 1; the last good checkpoint stays', async () => {
    const out = join(root, 'diverged');
    const cfgPath = join(root, 'diverge.json');
    writeFileSync(cfgPath, JSON.stringify({ preset: 'tiny', data: { hq, patch: 32 }, out, steps: 6, lr: 1e6, fakeLr: 1e6, checkpointEvery: 1, debug: { fixedBatch: true, fixedTs: 500 } }));
    const r = await runCli(['train', '--config', cfgPath, '--quiet']);
    expect(r.code).toBe(1);
    const m = /tadsr train: step (\d+): (\w+) is (NaN|-?Infinity) \(.*\) — training stopped before saving anything of this step; (.*); no model was written/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    const bad = Number(m![1]);
    expect(bad).toBeGreaterThan(1);
    const kept = readdirSync(join(out, 'checkpoints')).filter((n) => n.startsWith('step-')).sort();
    expect(kept.at(-1)).toBe(`step-${String(bad - 1).padStart(6, '0')}`);
    expect(m![4]).toContain(join(out, 'checkpoints', kept.at(-1)!));
    expect(existsSync(join(out, 'model'))).toBe(false);
    expect(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n')).toHaveLength(bad - 1);
    expect(existsSync(join(out, '.lock'))).toBe(false);
  });

  it('assertFiniteStep names the term and ignores terms that are off (null)', () => {
    expect(() => assertFiniteStep(3, { loss_mse: 0.5, loss_lpips: null, grad_norm: Number.POSITIVE_INFINITY }, undefined)).toThrow(/^step 3: grad_norm is Infinity \(loss_mse 0\.5000\) .*no checkpoint was written yet/);
    expect(() => assertFiniteStep(3, { loss_mse: 0.5, loss_lpips: null }, undefined)).not.toThrow();
  });

  it('a teacher with NaN weights is refused at load, before any step (exit 2)', async () => {
    const { initModelDir } = await import('../../src/graphs/model-dir.js');
    const { readSafetensors, writeSafetensors } = await import('../../src/models/safetensors.js');
    const teacher = join(root, 'nan-teacher');
    await initModelDir(teacher, 'tiny');
    const w = await readSafetensors(join(teacher, 'teacher-unet.safetensors'));
    [...w.values()][0]!.data[1] = Number.NaN;
    await writeSafetensors(join(teacher, 'teacher-unet.safetensors'), w);
    const cfgPath = join(root, 'nan-teacher.json');
    writeFileSync(cfgPath, JSON.stringify({ teacher, data: { hq, patch: 32 }, out: join(root, 'nan-run'), steps: 2 }));
    const r = await runCli(['train', '--config', cfgPath, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tadsr train: .*teacher-unet\.safetensors: tensor ".*" holds NaN at index 1/);
  });
});

describe('one run per folder', () => {
  it('a folder locked by a live process is refused (exit 2), and left as it was', async () => {
    const out = join(root, 'locked');
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    children.push(child);
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, '.lock'), `${child.pid}\n`);
    const c = parseTrainConfig({ preset: 'tiny', data: { hq, patch: 32 }, out, steps: 1 });
    await expect(runTraining(c, {}, () => undefined)).rejects.toThrow(RunLockError);
    await expect(runTraining(c, {}, () => undefined)).rejects.toThrow(new RegExp(`is in use by another tadsr train \\(pid ${child.pid}\\)`));
    expect(readFileSync(join(out, '.lock'), 'utf8').trim()).toBe(String(child.pid));
    expect(readdirSync(out)).toEqual(['.lock']);
    child.kill();
  });

  it('a lock left by a dead process is taken over; release removes it', () => {
    const dir = join(root, 'stale');
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const pid = dead.pid!;
    return new Promise<void>((resolve) => dead.on('exit', () => resolve())).then(() => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, '.lock'), `${pid}\n`);
      const release = acquireRunLock(dir, 'tadsr train');
      expect(readFileSync(join(dir, '.lock'), 'utf8').trim()).toBe(String(process.pid));
      release();
      expect(existsSync(join(dir, '.lock'))).toBe(false);
    });
  });
});

describe('run folders are used only if new, empty, or a run (continued with --resume)', () => {
  it('a folder of user files: refused, every file byte-identical (exit 2)', async () => {
    const out = join(root, 'photos');
    mkdirSync(join(out, 'sub'), { recursive: true });
    writeFileSync(join(out, 'log.txt'), 'mine');
    writeFileSync(join(out, 'sub', 'a.png'), 'bytes');
    const before = snapshot(out);
    const cfgPath = join(root, 'photos.json');
    writeFileSync(cfgPath, JSON.stringify({ preset: 'tiny', data: { hq, patch: 32 }, out, steps: 1 }));
    const r = await runCli(['train', '--config', cfgPath, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tadsr train: refusing to start a tadsr train run in .*photos: it is not empty and not a tadsr run folder \(it holds log\.txt, sub\)/);
    expect(snapshot(out)).toEqual(before);
  });

  it('a fresh start over a run with checkpoints is refused: --resume continues it', async () => {
    const out = mkdtempSync(join(root, 'ck-run-'));
    await writeCheckpoint(out, 4, {}, { fingerprint: 'x' });
    const before = snapshot(out);
    const c = parseTrainConfig({ preset: 'tiny', data: { hq, patch: 32 }, out, steps: 1 });
    await expect(runTraining(c, {}, () => undefined)).rejects.toThrow(/already holds a run \(checkpoints up to step-000004\): add --resume to continue it/);
    expect(snapshot(out)).toEqual(before);
  });
});

describe('checkpoints that cannot be read', () => {
  const t = (v: number) => new Map([['w', { shape: [2], data: new Float32Array([v, v + 1]) }]]);
  async function run3(): Promise<string> {
    const dir = mkdtempSync(join(root, 'ck-'));
    for (const s of [1, 2, 3]) await writeCheckpoint(dir, s, { student: t(s) }, { fingerprint: 'f' });
    return dir;
  }

  it('a corrupt state.json names itself and resume falls back to the previous checkpoint', async () => {
    const dir = await run3();
    writeFileSync(join(dir, 'checkpoints', 'step-000003', 'state.json'), '{"step": 3, "fingerpr');
    const ck = await readLatestCheckpoint(dir, ['student']);
    expect(ck!.state.step).toBe(2);
    expect(ck!.groups['student']!.get('w')!.data[0]).toBe(2);
    expect(ck!.skipped).toHaveLength(1);
    expect(ck!.skipped[0]!.message).toMatch(/step-000003\/state\.json is not valid JSON/);
  });

  it('a truncated tensor file names itself; a `latest` pointing out of the run is ignored', async () => {
    const dir = await run3();
    const f = join(dir, 'checkpoints', 'step-000003', 'student.safetensors');
    writeFileSync(f, readFileSync(f).subarray(0, 20));
    writeFileSync(join(dir, 'checkpoints', 'latest'), '../../../etc\n');
    const ck = await readLatestCheckpoint(dir, ['student']);
    expect(ck!.state.step).toBe(2);
    expect(ck!.skipped.map((s) => s.message).join('\n')).toMatch(/latest does not name a checkpoint of this run \("\.\.\/\.\.\/\.\.\/etc"\)[\s\S]*student\.safetensors/);
  });

  it('none readable: one error listing each', async () => {
    const dir = await run3();
    for (const s of ['1', '2', '3']) writeFileSync(join(dir, 'checkpoints', `step-00000${s}`, 'state.json'), '[]');
    await expect(readLatestCheckpoint(dir, ['student'])).rejects.toThrow(CheckpointReadError);
    await expect(readLatestCheckpoint(dir, ['student'])).rejects.toThrow(/no checkpoint in .* can be read:\n {2}.*step-000003\/state\.json is not a JSON object\n {2}.*step-000002/);
  });

  it('train --resume over a corrupt latest checkpoint warns and continues from the previous one', async () => {
    const out = join(root, 'resume');
    const c = parseTrainConfig({ preset: 'tiny', data: { hq, patch: 32 }, out, steps: 3, checkpointEvery: 1 });
    await runTraining(c, { stopAfter: 2, skipExport: true }, () => undefined);
    writeFileSync(join(out, 'checkpoints', 'step-000002', 'state.json'), 'garbage');
    const events: { type: string; message?: string; step?: number }[] = [];
    await runTraining(c, { resume: true, skipExport: true }, (e) => events.push(e as never));
    expect(events.find((e) => e.type === 'warning')?.message).toMatch(/passed over a checkpoint that cannot be read: .*step-000002\/state\.json is not valid JSON/);
    expect(events.find((e) => e.type === 'start')?.step).toBe(1);
    expect(events.filter((e) => e.type === 'step').map((e) => e.step)).toEqual([2, 3]);
  });
});
