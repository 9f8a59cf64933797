/**
 * `tadsr eval-model --model DIR --lq DIR --hr DIR [--t-s 100,300,500,700,900] [--report OUT] [--limit N]` — run a
 * model over a paired set at each t_s, print the per-t_s means (PSNR / SSIM on Y, pyiqa; NIQE, BasicSR) beside the
 * bicubic baseline, and write `report.json` + an offline `index.html`. A thin wrapper over {@link evaluateModel}.
 */
import { existsSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { DEVICES } from '../../backends/onnx/device.js';
import { DEFAULT_TS_SWEEP, evaluateModel } from '../../graphs/eval-model.js';
import { probeWritable } from '../../io/safe-output.js';
import { readFileSync } from 'node:fs';
import type { ReportData, ScoreRow } from '../../report/report-data.js';
import { ModelDirError } from '../../graphs/model-dir.js';
import { isKnownPeerName, resolvePeerModel } from '../../peers/peer-dir.js';
import { measurePeerRows } from '../../peers/peer-rows.js';
import { parseTs } from '../../schedule/timesteps.js';

interface EvalModelCliOptions {
  model: string;
  lq: string;
  hr: string;
  tS: string;
  report?: string;
  limit?: string;
  comparisons: string;
  backend?: string;
  device?: string;
  peers?: string;
  peerModels?: string;
  json?: boolean;
  quiet?: boolean;
}

const HELP_AFTER = `
Scores: PSNR and SSIM on the Y channel (BT.601) in pyiqa's convention, no border crop (as OSEDiff / TADSR report
them); NIQE in BasicSR's convention (lower is more natural). The bicubic x4 baseline (MATLAB imresize, 8-bit) is
scored on the same pairs. LQ and HR files are paired by name; bad or unpaired files are listed and make the exit
code 1, the others are still scored.

The report directory holds report.json (means, per-image scores) and index.html: the table, the PSNR-NIQE curve
(one point per t_s) and before/after sliders (bicubic vs the model at each t_s) — it opens offline in any browser.

GAN peers: --model realesr-general-x4v3 | realesrgan-x4plus (converted by tools/convert-peer.ts) evaluates a peer
(t_s does not apply: one row); --peer-models realesr-general-x4v3,realesrgan-x4plus runs them on the same pairs
in the same run and adds their rows beside bicubic (--peers adds rows measured earlier, from JSON files).

Example:
  tadsr eval-model --model models/default --lq ../shared/data/drealsr/lr --hr ../shared/data/drealsr/hr \\
    --t-s 100,300,500,700,900 --report out/drealsr-report
  tadsr eval-model --model models/default --lq LQ --hr HR --peer-models realesr-general-x4v3,realesrgan-x4plus \\
    --peers bench/peers-drealsr-results.json`;

export function registerEvalModel(program: Command): void {
  program
    .command('eval-model')
    .description('run a model over paired LQ/HR images at several t_s; per-t_s PSNR/SSIM/NIQE and an HTML report')
    .requiredOption('--model <dir>', 'model directory, or a GAN peer name (realesr-general-x4v3, realesrgan-x4plus)')
    .requiredOption('--lq <dir>', 'directory of LQ images')
    .requiredOption('--hr <dir>', 'directory of HR references (same names, 4x the LQ size)')
    .option('--t-s <list>', 'comma list of t_s values in [0, 999]', DEFAULT_TS_SWEEP.join(','))
    .option('--report <dir>', 'write report.json, index.html and comparison images here')
    .option('--limit <n>', 'only the first N pairs (sorted by name)')
    .option('--comparisons <n>', 'pairs shown with before/after sliders', '4')
    .option('--backend <name>', 'backend that runs the model (default onnx)')
    .option('--device <name>', 'auto | cpu | webgpu | cuda (onnx; default auto)')
    .option('--peers <json>', 'add the rows of peer benchmark JSON files (comma list; bench/peers-upscalerjs.ts --json) as baselines')
    .option('--peer-models <list>', 'GAN peers to run on the same pairs as baseline rows (comma list: realesr-general-x4v3, realesrgan-x4plus)')
    .option('--json', 'print the report data as JSON on stdout instead of the table')
    .option('-q, --quiet', 'no progress bar')
    .addHelpText('after', HELP_AFTER)
    .action(async (o: EvalModelCliOptions) => {
      process.exitCode = await runEvalModel(o);
    });
}

function usage(message: string): number {
  process.stderr.write(`tadsr eval-model: ${message}\n`);
  return 2;
}

function positiveInt(flag: string, v: string | undefined): number | undefined | Error {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : new Error(`${flag} must be a non-negative integer, got "${v}"`);
}

async function runEvalModel(o: EvalModelCliOptions): Promise<number> {
  let sweep: number[];
  try {
    sweep = o.tS.split(',').map((s) => s.trim()).filter(Boolean).map(parseTs);
  } catch (err) {
    return usage(`--t-s: ${(err as Error).message}`);
  }
  if (sweep.length === 0) return usage('--t-s: no value given');
  if (o.device !== undefined && !(DEVICES as readonly string[]).includes(o.device)) return usage(`--device must be one of ${DEVICES.join(', ')}, got "${o.device}"`);
  const limit = positiveInt('--limit', o.limit);
  const comparisons = positiveInt('--comparisons', o.comparisons);
  for (const v of [limit, comparisons]) if (v instanceof Error) return usage(v.message);
  for (const [flag, dir] of [['--model', o.model], ['--lq', o.lq], ['--hr', o.hr]] as const) {
    if (flag === '--model' && isKnownPeerName(dir) && !existsSync(dir)) {
      try {
        resolvePeerModel(dir); // throws, telling how to convert, when the peer is not converted
      } catch (err) {
        return usage(`--model: ${(err as Error).message}`);
      }
      continue;
    }
    if (!existsSync(dir)) return usage(`${flag}: no such file or directory: ${dir}`);
  }
  if (o.report !== undefined) probeWritable(o.report, 'report'); // before the model loads: exit 2
  let extraBaselines: ScoreRow[] = [];
  if (o.peers !== undefined) {
    try {
      extraBaselines = o.peers.split(',').map((p) => p.trim()).filter(Boolean).flatMap((p) => readPeerRows(p));
    } catch (err) {
      return usage(`--peers: ${(err as Error).message}`);
    }
  }
  const showBar = !o.quiet && process.stderr.isTTY === true;
  if (o.peerModels !== undefined) {
    const names = o.peerModels.split(',').map((s) => s.trim()).filter(Boolean);
    try {
      const rows = await measurePeerRows(names, {
        lqDir: o.lq,
        hrDir: o.hr,
        ...(typeof limit === 'number' ? { limit } : {}),
        ...(showBar ? { onProgress: (p) => process.stderr.write(`\r${p.model} ${p.done}/${p.total} ${p.id}   `) } : {}),
      });
      if (showBar) process.stderr.write('\n');
      extraBaselines = [...rows, ...extraBaselines];
    } catch (err) {
      if (err instanceof ModelDirError) return usage(`--peer-models: ${err.message}`);
      throw err;
    }
  }
  const bar = showBar ? new SingleBar({ format: 'eval-model [{bar}] {value}/{total} {name}', stream: process.stderr }) : undefined;
  let started = false;
  const { report, files } = await evaluateModel({
    model: o.model,
    ...(o.backend ? { backend: o.backend } : {}),
    ...(o.device ? { device: o.device } : {}),
    lqDir: o.lq,
    hrDir: o.hr,
    tS: sweep,
    ...(o.report ? { reportDir: o.report } : {}),
    ...(typeof limit === 'number' ? { limit } : {}),
    ...(typeof comparisons === 'number' ? { comparisons } : {}),
    extraBaselines,
    onProgress: (p) => {
      if (!bar) return;
      if (!started) {
        bar.start(p.total, 0, { name: '' });
        started = true;
      }
      bar.update(p.done, { name: p.tS === undefined ? `${p.id} (failed)` : `${p.id} t_s=${p.tS}` });
    },
  }).finally(() => bar?.stop());
  for (const e of report.errors) process.stderr.write(`tadsr eval-model: ${e.id} (${e.stage}): ${e.message}\n`);
  if (o.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(formatEvalModelTable(report));
  if (files) process.stderr.write(`tadsr eval-model: report written to ${files.html}\n`);
  return report.errors.length > 0 ? 1 : 0;
}

/** Plain-text table: one row per t_s, then the baselines. */
export function formatEvalModelTable(r: ReportData): string {
  const f = (x: number, d: number) => (Number.isFinite(x) ? x.toFixed(d) : '-');
  const rows = [...r.rows, ...r.baselines];
  const w = Math.max(6, ...rows.map((x) => x.label.length));
  const head = `${'method'.padEnd(w)}  ${'n'.padStart(4)}  ${'PSNR-Y'.padStart(8)}  ${'SSIM-Y'.padStart(7)}  ${'NIQE'.padStart(6)}  ${'ms/img'.padStart(8)}`;
  const lines = rows.map(
    (x) =>
      `${x.label.padEnd(w)}  ${String(x.n).padStart(4)}  ${f(x.psnr, 3).padStart(8)}  ${f(x.ssim, 4).padStart(7)}  ${f(x.niqe, 3).padStart(6)}  ${(x.msPerImage === undefined ? '-' : f(x.msPerImage, 0)).padStart(8)}`,
  );
  return `${[head, '-'.repeat(head.length), ...lines].join('\n')}\n`;
}

/** Rows with quality from a peer benchmark JSON (`{ rows: [{ method, n, msMedian, quality: { psnr, ssim, niqe } }] }`). */
export function readPeerRows(path: string): ScoreRow[] {
  const data = JSON.parse(readFileSync(path, 'utf8')) as { rows?: { method?: unknown; n?: unknown; msMedian?: unknown; quality?: { psnr?: unknown; ssim?: unknown; niqe?: unknown } }[] };
  if (!Array.isArray(data.rows)) throw new Error(`${path} has no "rows" array`);
  return data.rows
    .filter((r) => r.quality && typeof r.method === 'string' && !String(r.method).startsWith('bicubic'))
    .map((r) => ({
      label: String(r.method),
      n: Number(r.n),
      psnr: Number(r.quality!.psnr),
      ssim: Number(r.quality!.ssim),
      niqe: Number(r.quality!.niqe),
      ...(typeof r.msMedian === 'number' ? { msPerImage: r.msMedian } : {}),
    }));
}
