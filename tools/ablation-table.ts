/**
 * The ablation table of a model card from `tadsr eval-model --json` reports: one report per (variant, seed), named
 * `VARIANT-seedS.json`; prints, for each variant and t_s, PSNR / SSIM / NIQE as mean ± sample standard deviation
 * over the seeds (n − 1 in the denominator), the differences to the full method paired by seed, then every seed's
 * row, as Markdown.
 *
 * ```sh
 * npx tsx tools/ablation-table.ts DIR            # DIR holds full-seed0.json, no-tae-seed1.json, …
 * ```
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One eval-model row: the means over the report's pairs at one t_s. */
export interface EvalRow {
  readonly tS: number;
  readonly n: number;
  readonly psnr: number;
  readonly ssim: number;
  readonly niqe: number;
}

export interface SeedReport {
  readonly variant: string;
  readonly seed: number;
  readonly rows: readonly EvalRow[];
}

export interface MeanSd {
  readonly mean: number;
  readonly sd: number;
}

export interface AblationCell {
  readonly variant: string;
  readonly tS: number;
  readonly seeds: readonly number[];
  readonly pairs: number;
  readonly psnr: MeanSd;
  readonly ssim: MeanSd;
  readonly niqe: MeanSd;
}

/** Mean and sample standard deviation (0 for a single value). */
export function meanSd(xs: readonly number[]): MeanSd {
  if (xs.length === 0) throw new Error('meanSd: no values');
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length === 1) return { mean, sd: 0 };
  const ss = xs.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (xs.length - 1)) };
}

/** One cell per (variant, t_s), variants in first-seen order; refuses reports scored on different pair counts. */
export function summarise(reports: readonly SeedReport[]): AblationCell[] {
  const groups = new Map<string, Map<number, { seeds: number[]; rows: EvalRow[] }>>();
  for (const r of reports) {
    const byTs = groups.get(r.variant) ?? new Map<number, { seeds: number[]; rows: EvalRow[] }>();
    groups.set(r.variant, byTs);
    for (const row of r.rows) {
      const g = byTs.get(row.tS) ?? { seeds: [], rows: [] };
      byTs.set(row.tS, g);
      g.seeds.push(r.seed);
      g.rows.push(row);
    }
  }
  const cells: AblationCell[] = [];
  for (const [variant, byTs] of groups) {
    for (const [tS, g] of [...byTs].sort((a, b) => a[0] - b[0])) {
      const pairs = new Set(g.rows.map((x) => x.n));
      if (pairs.size !== 1) throw new Error(`${variant} at t_s ${tS}: reports scored on different pair counts (${[...pairs].join(', ')})`);
      cells.push({
        variant,
        tS,
        seeds: [...g.seeds].sort((a, b) => a - b),
        pairs: g.rows[0]!.n,
        psnr: meanSd(g.rows.map((x) => x.psnr)),
        ssim: meanSd(g.rows.map((x) => x.ssim)),
        niqe: meanSd(g.rows.map((x) => x.niqe)),
      });
    }
  }
  return cells;
}

export interface PairedCell {
  readonly variant: string;
  readonly tS: number;
  readonly seeds: readonly number[];
  readonly psnr: MeanSd;
  readonly ssim: MeanSd;
  readonly niqe: MeanSd;
}

/**
 * Paired differences against a reference variant: per seed (the same seed gives every variant the same data order
 * and noise), variant − reference, then mean ± sd over the seeds both have. Seeds move every variant together,
 * so these differences are much tighter than the spread of the means.
 */
export function pairedDifferences(reports: readonly SeedReport[], reference: string): PairedCell[] {
  const ref = new Map(reports.filter((r) => r.variant === reference).map((r) => [r.seed, r]));
  if (ref.size === 0) throw new Error(`no report of the reference variant "${reference}"`);
  const diffs = new Map<string, { variant: string; tS: number; seeds: number[]; d: { psnr: number[]; ssim: number[]; niqe: number[] } }>();
  for (const r of reports) {
    if (r.variant === reference) continue;
    const base = ref.get(r.seed);
    if (!base) continue;
    for (const row of r.rows) {
      const b = base.rows.find((x) => x.tS === row.tS);
      if (!b) continue;
      if (b.n !== row.n) throw new Error(`${r.variant} seed ${r.seed} at t_s ${row.tS}: ${row.n} pairs, the reference ${b.n}`);
      const key = `${r.variant}@${row.tS}`;
      const g = diffs.get(key) ?? { variant: r.variant, tS: row.tS, seeds: [], d: { psnr: [], ssim: [], niqe: [] } };
      diffs.set(key, g);
      g.seeds.push(r.seed);
      g.d.psnr.push(row.psnr - b.psnr);
      g.d.ssim.push(row.ssim - b.ssim);
      g.d.niqe.push(row.niqe - b.niqe);
    }
  }
  return [...diffs.values()].map((g) => ({ variant: g.variant, tS: g.tS, seeds: [...g.seeds].sort((a, b) => a - b), psnr: meanSd(g.d.psnr), ssim: meanSd(g.d.ssim), niqe: meanSd(g.d.niqe) }));
}

const fmt = (m: MeanSd, d: number): string => `${m.mean.toFixed(d)} ± ${m.sd.toFixed(d)}`;
const signed = (m: MeanSd, d: number): string => `${m.mean >= 0 ? '+' : '−'}${Math.abs(m.mean).toFixed(d)} ± ${m.sd.toFixed(d)}`;

/** The Markdown table of `pairedDifferences`' cells. */
export function pairedTable(cells: readonly PairedCell[], reference: string): string {
  const lines = [`| variant − ${reference} | t_s | seeds | ΔPSNR-Y | ΔSSIM-Y | ΔNIQE |`, '|---|---|---|---|---|---|'];
  for (const c of cells) lines.push(`| ${c.variant} | ${c.tS} | ${c.seeds.join(', ')} | ${signed(c.psnr, 2)} | ${signed(c.ssim, 4)} | ${signed(c.niqe, 2)} |`);
  return lines.join('\n');
}

/** One row per report (no spread), for the per-seed listing. */
export function perSeedTable(reports: readonly SeedReport[]): string {
  const lines = ['| variant | seed | t_s | pairs | PSNR-Y | SSIM-Y | NIQE |', '|---|---|---|---|---|---|---|'];
  for (const r of reports) for (const row of r.rows) lines.push(`| ${r.variant} | ${r.seed} | ${row.tS} | ${row.n} | ${row.psnr.toFixed(2)} | ${row.ssim.toFixed(4)} | ${row.niqe.toFixed(2)} |`);
  return lines.join('\n');
}

/** The Markdown table of `summarise`'s cells. */
export function markdownTable(cells: readonly AblationCell[]): string {
  const lines = ['| variant | t_s | seeds | pairs | PSNR-Y | SSIM-Y | NIQE |', '|---|---|---|---|---|---|---|'];
  for (const c of cells) lines.push(`| ${c.variant} | ${c.tS} | ${c.seeds.join(', ')} | ${c.pairs} | ${fmt(c.psnr, 2)} | ${fmt(c.ssim, 4)} | ${fmt(c.niqe, 2)} |`);
  return lines.join('\n');
}

/** Reads `VARIANT-seedS.json` eval-model reports from a folder. */
export function readReports(dir: string): SeedReport[] {
  const out: SeedReport[] = [];
  for (const f of readdirSync(dir).sort()) {
    const m = /^(.+)-seed(\d+)\.json$/.exec(f);
    if (!m) continue;
    const json = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { rows?: EvalRow[] };
    if (!Array.isArray(json.rows)) throw new Error(`${join(dir, f)}: not an eval-model --json report (no "rows")`);
    out.push({ variant: m[1]!, seed: Number(m[2]), rows: json.rows });
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: npx tsx tools/ablation-table.ts DIR (eval-model --json reports named VARIANT-seedS.json)');
    process.exit(2);
  }
  const reports = readReports(dir);
  if (reports.length === 0) {
    console.error(`tools/ablation-table.ts: no VARIANT-seedS.json report in ${dir}`);
    process.exit(2);
  }
  const order = ['full', 'no-tae', 'no-tavsd', 'baseline'];
  reports.sort((a, b) => (order.indexOf(a.variant) + 1 || 99) - (order.indexOf(b.variant) + 1 || 99) || a.seed - b.seed);
  console.log(markdownTable(summarise(reports)));
  if (reports.some((r) => r.variant === 'full') && reports.some((r) => r.variant !== 'full')) {
    console.log('\npaired by seed against the full method:\n');
    console.log(pairedTable(pairedDifferences(reports, 'full'), 'full'));
  }
  console.log('\nper seed:\n');
  console.log(perSeedTable(reports));
}
