/** tools/ablation-table.ts: mean ± sample sd over seeds per (variant, t_s), reports read by name, mixes refused. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { markdownTable, meanSd, readReports, summarise } from '../../tools/ablation-table.js';

const root = mkdtempSync(join(tmpdir(), 'tadsr-ablation-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const row = (tS: number, psnr: number, ssim: number, niqe: number, n = 41) => ({ tS, n, psnr, ssim, niqe, msPerImage: 1 });

describe('ablation-table', () => {
  it('meanSd uses the sample standard deviation', () => {
    expect(meanSd([2, 4, 4, 4, 5, 5, 7, 9]).mean).toBe(5);
    expect(meanSd([2, 4, 4, 4, 5, 5, 7, 9]).sd).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(meanSd([3])).toEqual({ mean: 3, sd: 0 });
    expect(() => meanSd([])).toThrow(/no values/);
  });

  it('groups the seed reports of a folder by variant and t_s', () => {
    writeFileSync(join(root, 'full-seed0.json'), JSON.stringify({ rows: [row(300, 28, 0.76, 7.2), row(700, 26, 0.77, 8.5)] }));
    writeFileSync(join(root, 'full-seed1.json'), JSON.stringify({ rows: [row(300, 27, 0.74, 6.2), row(700, 25, 0.75, 7.5)] }));
    writeFileSync(join(root, 'baseline-seed0.json'), JSON.stringify({ rows: [row(300, 26, 0.70, 9)] }));
    writeFileSync(join(root, 'notes.txt'), 'not a report');
    const cells = summarise(readReports(root));
    const full300 = cells.find((c) => c.variant === 'full' && c.tS === 300)!;
    expect(full300.seeds).toEqual([0, 1]);
    expect(full300.psnr.mean).toBeCloseTo(27.5, 12);
    expect(full300.psnr.sd).toBeCloseTo(Math.SQRT1_2, 12);
    expect(full300.niqe.mean).toBeCloseTo(6.7, 12);
    expect(cells.find((c) => c.variant === 'full' && c.tS === 700)!.ssim.mean).toBeCloseTo(0.76, 12);
    expect(cells.filter((c) => c.variant === 'baseline')).toHaveLength(1);
    expect(markdownTable(cells)).toContain('| full | 300 | 0, 1 | 41 | 27.50 ± 0.71 | 0.7500 ± 0.0141 | 6.70 ± 0.71 |');
  });

  it('refuses seeds scored on different numbers of pairs', () => {
    expect(() => summarise([
      { variant: 'full', seed: 0, rows: [row(300, 28, 0.76, 7.2, 41)] },
      { variant: 'full', seed: 1, rows: [row(300, 28, 0.76, 7.2, 12)] },
    ])).toThrow(/different pair counts/);
  });
});

describe('ablation-table paired differences', () => {
  it('subtracts the reference seed by seed, then takes mean ± sd over the seeds both have', async () => {
    const { pairedDifferences, pairedTable } = await import('../../tools/ablation-table.js');
    const cells = pairedDifferences([
      { variant: 'full', seed: 0, rows: [row(300, 28, 0.76, 7)] },
      { variant: 'full', seed: 1, rows: [row(300, 27, 0.70, 6)] },
      { variant: 'no-tae', seed: 0, rows: [row(300, 28.5, 0.77, 7.5)] },
      { variant: 'no-tae', seed: 1, rows: [row(300, 27.3, 0.70, 6.1)] },
      { variant: 'no-tae', seed: 2, rows: [row(300, 99, 0.99, 99)] }, // no reference for seed 2: left out
    ], 'full');
    expect(cells).toHaveLength(1);
    expect(cells[0]!.seeds).toEqual([0, 1]);
    expect(cells[0]!.psnr.mean).toBeCloseTo(0.4, 12);
    expect(cells[0]!.psnr.sd).toBeCloseTo(Math.sqrt(0.02), 12);
    expect(cells[0]!.niqe.mean).toBeCloseTo(0.3, 12);
    expect(pairedTable(cells, 'full')).toContain('| no-tae | 300 | 0, 1 | +0.40 ± 0.14 | +0.0050 ± 0.0071 | +0.30 ± 0.28 |');
    expect(() => pairedDifferences([{ variant: 'no-tae', seed: 0, rows: [] }], 'full')).toThrow(/reference variant/);
  });
});
