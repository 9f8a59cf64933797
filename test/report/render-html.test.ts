import { describe, expect, it } from 'vitest';
import { niceTicks, psnrNiqeSvg, renderReportHtml, type ReportData } from '../../src/report/index.js';

const data = (over: Partial<ReportData> = {}): ReportData => ({
  title: 'T <&>',
  created: '2026-01-01T00:00:00Z',
  notes: ['note "quoted"'],
  lqDir: 'lq',
  hrDir: 'hr',
  rows: [
    { label: 't_s = 100', tS: 100, n: 2, psnr: 29, ssim: 0.8, niqe: 9, msPerImage: 120 },
    { label: 't_s = 500', tS: 500, n: 2, psnr: 28, ssim: 0.77, niqe: 7.5, msPerImage: 118 },
  ],
  baselines: [{ label: 'bicubic ×4', n: 2, psnr: 30.5, ssim: 0.83, niqe: 10.8 }],
  comparisons: [
    { id: 'a&b', width: 8, height: 8, bicubic: 'images/a b/bicubic.png', sr: [{ tS: 100, path: 'images/a b/ts100.png' }, { tS: 500, path: 'images/a b/ts500.png' }] },
  ],
  errors: [{ id: 'bad<1>', stage: 'read-images', message: 'not a readable image' }],
  ...over,
});

describe('report rendering', () => {
  it('niceTicks covers the range with 1/2/5 steps', () => {
    expect(niceTicks(7.2, 11.1)).toEqual([8, 9, 10, 11]);
    expect(niceTicks(27.93, 28.41)).toEqual([28, 28.1, 28.2, 28.3, 28.4]);
    const t = niceTicks(5, 5);
    expect(t.length).toBeGreaterThan(0);
  });

  it('plots one labelled point per t_s, baselines as squares, and leaves out non-finite scores', () => {
    const svg = psnrNiqeSvg(
      [{ label: 't_s=100', psnr: 29, niqe: 9 }, { label: 't_s=300', psnr: NaN, niqe: 8 }, { label: 't_s=500', psnr: 28, niqe: 7.5 }],
      [{ label: 'bicubic', psnr: 30.5, niqe: 10.8 }],
    );
    expect((svg.match(/<g class="point">/g) ?? []).length).toBe(2);
    expect((svg.match(/<g class="baseline">/g) ?? []).length).toBe(1);
    expect(svg).toContain('<desc>not plotted (non-finite score): t_s=300</desc>');
    // NIQE axis reversed: the lower-NIQE point (t_s=500) is to the right of t_s=100
    const xs = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(xs[1]).toBeGreaterThan(xs[0]);
    // higher PSNR is higher up (smaller y)
    const ys = [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ys[0]).toBeLessThan(ys[1]);
  });

  it('escapes text, encodes image paths, starts each slider at t_s = 500 and marks the best scores', () => {
    const html = renderReportHtml(data());
    expect(html).toContain('<title>T &lt;&amp;&gt;</title>');
    expect(html).toContain('note &quot;quoted&quot;');
    expect(html).toContain('bad&lt;1&gt; (read-images): not a readable image');
    expect(html).toContain('src="images/a%20b/bicubic.png"');
    expect(html).toMatch(/<img class="after" src="images\/a%20b\/ts500\.png" alt="SR t_s=500"/);
    expect(html).toMatch(/value="images\/a%20b\/ts500\.png" data-label="SR t_s=500" checked/);
    expect(html).toContain('<td class="best">30.50</td>'); // best PSNR: bicubic
    expect(html).toContain('<td class="best">7.50</td>'); // best NIQE: t_s = 500
    expect(html).not.toMatch(/<script[^>]+src=/);
  });

  it('renders an empty run (no pairs) without throwing', () => {
    const html = renderReportHtml(data({ rows: [{ label: 't_s = 500', tS: 500, n: 0, psnr: NaN, ssim: NaN, niqe: NaN }], baselines: [], comparisons: [], errors: [] }));
    expect(html).toContain('<td>–</td>');
  });
});
