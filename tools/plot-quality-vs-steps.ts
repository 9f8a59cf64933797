/**
 * Quality against training steps as an SVG chart for a model card: PSNR-Y, SSIM-Y and NIQE of each exported
 * checkpoint, one line per run, from the `tadsr eval-model --json` reports that `evaluate.sh checkpoint` writes
 * (`PREFIX-N/eval-LIMIT-TS.json`, N the step). Rendered with Vega-Lite (no browser, no network).
 *
 * ```sh
 * npx tsx tools/plot-quality-vs-steps.ts --out card.svg --ts 500 --limit 12 \
 *   "TAVSD 0.25, seed 0=/tmp/e/distill-lr1e-4-tavsd0.25" "TAVSD 1, seed 0=/tmp/e/distill-lr1e-4"
 * ```
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as vega from 'vega';
import * as vl from 'vega-lite';

export interface QualityPoint {
  readonly run: string;
  readonly step: number;
  readonly metric: 'PSNR-Y (dB) ↑' | 'SSIM-Y ↑' | 'NIQE ↓';
  readonly value: number;
}

/** The points of one run: every `PREFIX-N/eval-LIMIT-TS.json` beside PREFIX, by step. */
export function runPoints(label: string, prefix: string, ts: number, limit: number): QualityPoint[] {
  const dir = dirname(prefix);
  const stem = basename(prefix);
  const points: QualityPoint[] = [];
  for (const name of readdirSync(dir)) {
    const m = new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)$`).exec(name);
    if (!m) continue;
    const file = join(dir, name, `eval-${limit}-${ts}.json`);
    if (!existsSync(file)) continue;
    let report: { rows?: { tS: number; n: number; psnr: number; ssim: number; niqe: number }[] };
    try {
      report = JSON.parse(readFileSync(file, 'utf8')) as typeof report;
    } catch (e) {
      throw new Error(`${file}: not a JSON eval-model report (${(e as Error).message})`);
    }
    const row = report.rows?.find((r) => r.tS === ts);
    if (!row) throw new Error(`${file}: no row at t_s ${ts}`);
    if (row.n !== limit) throw new Error(`${file}: scored ${row.n} pairs, not ${limit}`);
    const step = Number(m[1]);
    points.push({ run: label, step, metric: 'PSNR-Y (dB) ↑', value: row.psnr }, { run: label, step, metric: 'SSIM-Y ↑', value: row.ssim }, { run: label, step, metric: 'NIQE ↓', value: row.niqe });
  }
  if (points.length === 0) throw new Error(`no ${basename(prefix)}-N/eval-${limit}-${ts}.json in ${dir}`);
  return points.sort((a, b) => a.step - b.step);
}

/** The Vega-Lite spec: three panels side by side (one per metric, own y scale), a coloured line per run. */
export function chartSpec(points: readonly QualityPoint[], title: string): vl.TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    background: 'white',
    data: { values: points as QualityPoint[] },
    facet: { column: { field: 'metric', type: 'nominal', title: null, sort: ['PSNR-Y (dB) ↑', 'SSIM-Y ↑', 'NIQE ↓'] } },
    spec: {
      width: 220,
      height: 180,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'distillation step' },
        y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: null },
        color: { field: 'run', type: 'nominal', title: 'run', legend: { orient: 'bottom', columns: 1, labelLimit: 600 } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Renders a Vega-Lite spec to an SVG string, headless. */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, ts: { type: 'string', default: '500' }, limit: { type: 'string', default: '12' }, title: { type: 'string' } },
  });
  if (!values.out || positionals.length === 0) {
    console.error('usage: npx tsx tools/plot-quality-vs-steps.ts --out FILE.svg [--ts 500] [--limit 12] [--title T] "LABEL=PREFIX" …');
    process.exit(2);
  }
  const ts = Number(values.ts);
  const limit = Number(values.limit);
  const points = positionals.flatMap((p) => {
    const i = p.lastIndexOf('=');
    if (i <= 0) throw new Error(`"${p}": expected LABEL=PREFIX`);
    return runPoints(p.slice(0, i), p.slice(i + 1), ts, limit);
  });
  const title = values.title ?? `Quality against distillation steps (DRealSR, first ${limit} pairs, t_s ${ts})`;
  writeFileSync(values.out, await renderSvg(chartSpec(points, title)));
  console.log(`${values.out}: ${points.length / 3} checkpoints of ${positionals.length} runs`);
}
