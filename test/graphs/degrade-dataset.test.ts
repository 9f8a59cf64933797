import { existsSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DegradeEvent, DegradeUsageError, degradeDataset } from '../../src/graphs/degrade-dataset.js';
import { CORRUPT, makeHqFolder, newOutDir } from './degrade-fixtures.js';

type Summary = Extract<DegradeEvent, { type: 'summary' }>;

async function run(inDir: string, outDir: string, workers: number, seed = 11): Promise<DegradeEvent[]> {
  return lastValueFrom(degradeDataset({ inDir, outDir, seed, size: 64, workers }).pipe(toArray()));
}
const summaryOf = (events: DegradeEvent[]) => events.find((e): e is Summary => e.type === 'summary') as Summary;
const files = (dir: string) => readdirSync(dir).sort();

describe('degradeDataset', () => {
  const GOOD = 6;
  let inDir: string;
  let out1: string;
  let out2: string;
  let ev1: DegradeEvent[];
  let ev2: DegradeEvent[];
  beforeAll(async () => {
    inDir = await makeHqFolder(GOOD);
    out1 = newOutDir();
    out2 = newOutDir();
    ev1 = await run(inDir, out1, 1);
    ev2 = await run(inDir, out2, 2);
  });
  afterAll(() => {
    for (const d of [inDir, out1, out2]) rmSync(d, { recursive: true, force: true });
  });

  it('writes every good pair and reports exactly the five corrupt files', () => {
    const s = summaryOf(ev1);
    expect(s.written).toBe(GOOD);
    expect(s.failed.map((f) => f.path.split('/').pop()).sort()).toEqual([...CORRUPT].sort());
    expect(files(join(out1, 'hq'))).toHaveLength(GOOD);
    expect(files(join(out1, 'lq'))).toHaveLength(GOOD);
    const reasons = Object.fromEntries(s.failed.map((f) => [f.id, f.message]));
    expect(reasons.zero).toMatch(/empty/);
    expect(reasons.huge).toMatch(/too large/);
    expect(ev1.filter((e) => e.type === 'failure')).toHaveLength(5);
  });

  it('manifest.jsonl: one line per pair, sorted, with the sampled parameters', () => {
    const lines = readFileSync(join(out1, 'manifest.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(GOOD);
    const entries = lines.map((l) => JSON.parse(l) as { id: string; lq: string; degradation: { seed: number; lq: unknown } });
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort());
    for (const e of entries) {
      expect(e.degradation.seed).toBe(11);
      expect(e.degradation.lq).toEqual({ width: 16, height: 16 });
      expect(existsSync(join(out1, e.lq))).toBe(true);
    }
  });

  it('is byte-identical with 1 and 2 workers', () => {
    for (const sub of ['hq', 'lq']) {
      expect(files(join(out2, sub))).toEqual(files(join(out1, sub)));
      for (const f of files(join(out1, sub))) {
        expect(readFileSync(join(out2, sub, f)).equals(readFileSync(join(out1, sub, f)))).toBe(true);
      }
    }
    expect(readFileSync(join(out2, 'manifest.jsonl'), 'utf8')).toBe(readFileSync(join(out1, 'manifest.jsonl'), 'utf8'));
    expect(summaryOf(ev2).failed).toHaveLength(5);
  });

  it('a rerun skips done pairs, redoes half-done ones, clears temp files, never duplicates lines', async () => {
    const manifest = readFileSync(join(out1, 'manifest.jsonl'), 'utf8');
    const lq0 = join(out1, 'lq', 'good_00.png');
    const before = readFileSync(lq0);
    unlinkSync(lq0); // a pair killed between its two PNGs
    unlinkSync(join(out1, 'manifest.d', 'good_01.json')); // killed before its fragment
    writeFileSync(join(out1, 'hq', 'good_02.png.tmp-999-0'), 'half a file');
    const ev = await run(inDir, out1, 2);
    const s = summaryOf(ev);
    expect(s.skipped).toBe(GOOD - 2);
    expect(s.written).toBe(2);
    expect(readFileSync(lq0).equals(before)).toBe(true);
    expect(readFileSync(join(out1, 'manifest.jsonl'), 'utf8')).toBe(manifest);
    expect(files(join(out1, 'hq')).some((f) => f.includes('.tmp-'))).toBe(false);
  });

  it('refuses to mix settings in one folder, and bad options, with one clear message', async () => {
    await expect(run(inDir, out1, 1, 12)).rejects.toThrow(/another seed or config/);
    await expect(run(inDir, out1, 0)).rejects.toThrow(DegradeUsageError);
    const unused = newOutDir();
    try {
      await expect(run(join(inDir, 'nope'), unused, 1)).rejects.toThrow(/no such file or directory/);
    } finally {
      rmSync(unused, { recursive: true, force: true });
    }
  });
});
