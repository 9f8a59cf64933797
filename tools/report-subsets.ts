/**
 * Means of an `eval-model` report over the DRealSR subsets the small-taef2 model card uses, from the report's own
 * per-image numbers (no second run): `first12` (sorted index 0–11, the pairs that chose the recipes), `held41`
 * (12, 14, … 92: none of those) and `every8` (0, 8, … 88: the realism subset of shared/weights/README.md). Images
 * are sorted by name in code-point order (`LC_ALL=C sort`, as `evaluate.sh`'s subsets).
 *
 * ```sh
 * npx tsx tools/report-subsets.ts /tmp/tadsr-eval-small-taef2/report-default/report.json
 * ```
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

interface ImageRow {
  readonly id: string;
  readonly sr: readonly { readonly tS: number; readonly psnr: number; readonly ssim: number; readonly niqe: number }[];
}

/** The subsets: name → which sorted indices of the 93 pairs it holds. */
export const SUBSETS: Readonly<Record<string, (i: number) => boolean>> = {
  first12: (i) => i < 12,
  held41: (i) => i >= 12 && i % 2 === 0,
  every8: (i) => i % 8 === 0,
};

export interface SubsetMean {
  readonly subset: string;
  readonly n: number;
  readonly tS: number;
  readonly psnr: number;
  readonly ssim: number;
  readonly niqe: number;
}

/** Mean PSNR / SSIM / NIQE per subset and t_s of a report's `images`. */
export function subsetMeans(images: readonly ImageRow[]): SubsetMean[] {
  const sorted = [...images].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const out: SubsetMean[] = [];
  for (const [subset, keep] of Object.entries(SUBSETS)) {
    const rows = sorted.filter((_, i) => keep(i));
    if (rows.length === 0) continue;
    for (const tS of rows[0]!.sr.map((r) => r.tS)) {
      const at = rows.map((r) => {
        const x = r.sr.find((s) => s.tS === tS);
        if (x === undefined) throw new Error(`${r.id} has no result at t_s ${tS}`);
        return x;
      });
      const mean = (k: 'psnr' | 'ssim' | 'niqe') => at.reduce((s, x) => s + x[k], 0) / at.length;
      out.push({ subset, n: rows.length, tS, psnr: mean('psnr'), ssim: mean('ssim'), niqe: mean('niqe') });
    }
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const path = process.argv[2];
  if (!path) {
    process.stderr.write('usage: npx tsx tools/report-subsets.ts REPORT.json\n');
    process.exit(2);
  }
  const report = JSON.parse(readFileSync(path, 'utf8')) as { images?: ImageRow[] };
  if (!Array.isArray(report.images)) {
    process.stderr.write(`report-subsets: ${path} has no "images" (an eval-model report.json?)\n`);
    process.exit(2);
  }
  process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1)); // e.g. `| head`
  const rows = subsetMeans(report.images).map((m) => `| ${m.subset} | ${m.n} | ${m.tS} | ${m.psnr.toFixed(2)} | ${m.ssim.toFixed(3)} | ${m.niqe.toFixed(2)} |\n`);
  process.stdout.write(`| subset | n | t_s | PSNR-Y | SSIM-Y | NIQE |\n|---|---|---|---|---|---|\n${rows.join('')}`);
}
