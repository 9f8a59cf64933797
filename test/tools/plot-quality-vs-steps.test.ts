/** tools/plot-quality-vs-steps.ts: checkpoints found by step, wrong reports refused, an SVG with every run. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chartSpec, renderSvg, runPoints } from '../../tools/plot-quality-vs-steps.js';

const root = mkdtempSync(join(tmpdir(), 'tadsr-plot-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function report(dir: string, ts: number, n: number, psnr: number, ssim: number, niqe: number): void {
  mkdirSync(join(root, dir), { recursive: true });
  writeFileSync(join(root, dir, `eval-${n}-${ts}.json`), JSON.stringify({ rows: [{ tS: ts, n, psnr, ssim, niqe }] }));
}

describe('plot-quality-vs-steps', () => {
  it('reads PREFIX-N reports in step order and ignores other runs and t_s', () => {
    report('run-a-100', 500, 12, 28.9, 0.87, 7.6);
    report('run-a-50', 500, 12, 29.0, 0.88, 7.4);
    report('run-a-150', 300, 12, 1, 1, 1);
    report('run-ab-50', 500, 12, 2, 2, 2);
    const pts = runPoints('A', join(root, 'run-a'), 500, 12);
    expect(pts.map((p) => p.step)).toEqual([50, 50, 50, 100, 100, 100]);
    expect(pts.find((p) => p.step === 100 && p.metric === 'NIQE ↓')!.value).toBe(7.6);
    expect(pts.every((p) => p.run === 'A')).toBe(true);
  });

  it('refuses a report scored on another number of pairs', () => {
    report('run-c-50', 500, 11, 28, 0.8, 7);
    expect(() => runPoints('C', join(root, 'run-c'), 500, 12)).toThrow(/no run-c-N/);
    writeFileSync(join(root, 'run-c-50', 'eval-12-500.json'), JSON.stringify({ rows: [{ tS: 500, n: 11, psnr: 1, ssim: 1, niqe: 1 }] }));
    expect(() => runPoints('C', join(root, 'run-c'), 500, 12)).toThrow(/scored 11 pairs/);
  });

  it('renders an SVG that names every run and metric', async () => {
    const pts = [...runPoints('run A', join(root, 'run-a'), 500, 12), ...runPoints('run B', join(root, 'run-ab'), 500, 12)];
    const svg = await renderSvg(chartSpec(pts, 'quality'));
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['run A', 'run B', 'NIQE ↓', 'SSIM-Y ↑', 'quality']) expect(svg).toContain(text);
  });
});
