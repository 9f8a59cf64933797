/**
 * `tadsr eval --sr SR_DIR --hr HR_DIR [--json]` / `tadsr eval --bicubic LQ_DIR --hr HR_DIR` — score SR results
 * (or the MATLAB-bicubic baseline) against references. A thin wrapper over {@link evaluate}.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { lastValueFrom, tap } from 'rxjs';
import { type EvaluateSummary, evaluate } from '../../graphs/evaluate.js';
import { type MetricName, parseMetricNames } from '../../metrics/image-metrics.js';
import { IMAGE_EXTENSIONS, resolveImagePaths } from '../../io/list-images.js';

interface EvalCliOptions {
  sr?: string;
  hr: string;
  bicubic?: string;
  scale: string;
  metrics: string;
  json?: boolean;
  quiet?: boolean;
  concurrency: string;
  workers: string;
}

const HELP_AFTER = `
Conventions:
  psnr, ssim  Y channel (BT.601 YCbCr) in pyiqa's convention, as OSEDiff / TADSR report them:
              pyiqa.create_metric('psnr'|'ssim', test_y_channel=True, color_space='ycbcr'), no border crop
  niqe        BasicSR's calculate_niqe(img, crop_border=0, convert_to='y') with its pristine parameters
              (lower is better). pyiqa's 'niqe' uses YIQ luma and differs slightly.
  --bicubic   the baseline is MATLAB imresize(lq, scale, 'bicubic') quantised to 8 bits.

SR files are paired with HR files by name; an SR name may carry a suffix after the HR name
(Canon_10_x1_out.png matches Canon_10_x1.png). Unpaired or unreadable files are listed on stderr and
make the exit code 1; the others are still scored.

Examples:
  tadsr eval --sr out/ --hr ../shared/data/drealsr/hr
  tadsr eval --bicubic ../shared/data/drealsr/lr --hr ../shared/data/drealsr/hr --json > bicubic.json`;

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('score SR images against HR references: PSNR / SSIM (Y, pyiqa convention), NIQE (BasicSR)')
    .option('--sr <dir>', 'directory of SR results (not needed with --bicubic)')
    .requiredOption('--hr <dir>', 'directory of HR reference images')
    .option('--bicubic <lqDir>', 'score the MATLAB-bicubic upscale of these LQ images instead of SR files')
    .option('--scale <n>', 'upscaling factor of --bicubic', '4')
    .option('--metrics <list>', 'comma list of metrics: psnr,ssim,niqe', 'psnr,ssim,niqe')
    .option('--json', 'print one JSON object { n, mean, images, errors } on stdout (progress stays on stderr)')
    .option('-q, --quiet', 'no progress bar')
    .option('--concurrency <n>', 'files decoded at once', '2')
    .option('--workers <n>', 'worker threads computing the metrics (0: main thread)', String(defaultWorkers()))
    .addHelpText('after', HELP_AFTER)
    .action(async (o: EvalCliOptions) => {
      process.exitCode = await runEval(o);
    });
}

async function runEval(o: EvalCliOptions): Promise<number> {
  if (o.sr === undefined && o.bicubic === undefined) return usage('give --sr SR_DIR (or --bicubic LQ_DIR for the bicubic baseline)');
  if (o.sr !== undefined && o.bicubic !== undefined) return usage('give either --sr or --bicubic, not both');
  const scale = Number(o.scale);
  if (!Number.isInteger(scale) || scale < 1) return usage(`--scale must be a positive integer, got "${o.scale}"`);
  const concurrency = Number(o.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) return usage(`--concurrency must be a positive integer, got "${o.concurrency}"`);
  const workers = Number(o.workers);
  if (!Number.isInteger(workers) || workers < 0) return usage(`--workers must be a non-negative integer, got "${o.workers}"`);
  let metrics: MetricName[];
  try {
    metrics = parseMetricNames(o.metrics);
  } catch (err) {
    return usage((err as Error).message);
  }
  for (const [flag, dir] of [['--sr', o.sr], ['--hr', o.hr], ['--bicubic', o.bicubic]] as const) {
    if (dir !== undefined && !existsSync(dir)) return usage(`${flag}: no such file or directory: ${dir}`);
  }
  const scored = (o.sr ?? o.bicubic)!;
  if (statSync(scored).isDirectory() && resolveImagePaths(scored).length === 0) {
    return usage(`no images to score in ${scored} (looked for ${IMAGE_EXTENSIONS.join(' ')})`);
  }
  const showBar = !o.quiet && process.stderr.isTTY === true;
  const bar = showBar ? new SingleBar({ format: 'eval [{bar}] {value}/{total} {name}', stream: process.stderr }) : undefined;
  let summary: EvaluateSummary | undefined;
  let done = 0;
  await lastValueFrom(
    evaluate({ srDir: o.sr, hrDir: o.hr, bicubicLqDir: o.bicubic, scale, metrics, concurrency, workers }).pipe(
      tap((e) => {
        if (e.kind === 'start') bar?.start(e.total, 0, { name: '' });
        else if (e.kind === 'image') bar?.update(++done, { name: e.result.name });
        else if (e.kind === 'error') {
          if (e.error.stage !== 'pairing') bar?.update(++done, { name: e.error.name });
          if (!bar) process.stderr.write(`tadsr eval: ${e.error.path ?? e.error.name}: ${e.error.message}\n`);
        } else summary = e.summary;
      }),
    ),
  ).finally(() => bar?.stop());
  if (!summary) throw new Error('evaluate ended without a summary');
  if (bar) for (const e of summary.errors) process.stderr.write(`tadsr eval: ${e.path ?? e.name}: ${e.message}\n`);
  if (o.json) process.stdout.write(`${JSON.stringify(toJson(summary))}\n`);
  else if (summary.n > 0) process.stdout.write(formatTable(summary));
  if (summary.errors.length > 0) {
    process.stderr.write(`tadsr eval: ${summary.errors.length} file(s) not scored (listed above)\n`);
    return 1;
  }
  return 0;
}

/** One worker per core, at most 4 (metrics are CPU-bound; decoding runs on libvips threads). */
function defaultWorkers(): number {
  return Math.min(4, availableParallelism());
}

function usage(message: string): number {
  process.stderr.write(`tadsr eval: ${message}\n`);
  return 2;
}

/** The `--json` object: `{ n, mean: {…}, images: [{ name, … }], errors: [{ name, path, message }] }`. */
export function toJson(s: EvaluateSummary): Record<string, unknown> {
  const pick = (r: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(s.metrics.map((m) => [m, r[m] ?? null]));
  return {
    n: s.n,
    mean: pick(s.mean as Record<string, unknown>),
    images: s.images.map((r) => ({ name: r.name, ...pick(r as unknown as Record<string, unknown>) })),
    errors: s.errors.map((e) => ({ name: e.name, path: e.path ?? null, stage: e.stage, message: e.message })),
  };
}

const DIGITS: Record<MetricName, number> = { psnr: 4, ssim: 4, niqe: 4 };

/** Plain-text table: one row per image, then the mean. */
export function formatTable(s: EvaluateSummary): string {
  const meanLabel = `mean (n=${s.n})`;
  const nameW = Math.max(meanLabel.length, ...s.images.map((r) => r.name.length));
  const head = ['name'.padEnd(nameW), ...s.metrics.map((m) => m.toUpperCase().padStart(9))].join('  ');
  const row = (name: string, v: Record<string, number | undefined>): string =>
    [name.padEnd(nameW), ...s.metrics.map((m) => fmt(v[m], DIGITS[m]).padStart(9))].join('  ');
  const lines = [head, ...s.images.map((r) => row(r.name, r as unknown as Record<string, number | undefined>))];
  lines.push('-'.repeat(head.length), row(meanLabel, s.mean as Record<string, number | undefined>));
  return `${lines.join('\n')}\n`;
}

function fmt(v: number | undefined, digits: number): string {
  return v === undefined ? '-' : Number.isFinite(v) ? v.toFixed(digits) : String(v);
}
