/**
 * `tadsr eval` timing on DRealSR (93 pairs, LQ 128² → bicubic ×4 → 512² against HR 512²), in one run:
 *
 * 1. the whole `evaluate({ bicubicLqDir, hrDir })` graph (decode + bicubic + PSNR + SSIM + NIQE), wall and CPU
 *    seconds, in this thread and with worker threads (one per core, at most 4);
 * 2. each step alone over the 93 decoded pairs, ms/image (bicubic, psnr, ssim, niqe);
 * 3. the numpy cross-check (bench/eval_crosscheck.py, same conventions) when a Python with numpy/scipy/pillow is
 *    found ($TADSR_PYTHON, else python3), with its totals and per-metric seconds, and the ratios.
 *
 *   npx tsx bench/eval.ts [LQ_DIR HR_DIR]        (default ../shared/data/drealsr/{lr,hr})
 *
 * The machine may be shared: compare the ratios, not the absolute times.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lastValueFrom, toArray } from 'rxjs';
import { evaluate } from '../src/graphs/evaluate.js';
import { pairByName } from '../src/graphs/evaluate-pairing.js';
import { decodeImage } from '../src/io/decode-image.js';
import { resolveImagePaths } from '../src/io/list-images.js';
import { type ImageMetrics, bicubicUpscale, niqe, psnr, ssim } from '../src/metrics/index.js';
import type { RgbImage } from '../src/image.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const lqDir = process.argv[2] ?? join(root, '..', 'shared', 'data', 'drealsr', 'lr');
const hrDir = process.argv[3] ?? join(root, '..', 'shared', 'data', 'drealsr', 'hr');

const now = (): number => performance.now();

// 1. the whole graph, as `tadsr eval --bicubic` runs it: in this thread, then with worker threads
const poolSize = Math.min(4, availableParallelism());
interface GraphRun { workers: number; wallS: number; cpuS: number; n: number; mean: ImageMetrics }
const graphRuns: GraphRun[] = [];
for (const workers of [0, poolSize]) {
  const t = now();
  const c = process.cpuUsage();
  const events = await lastValueFrom(evaluate({ bicubicLqDir: lqDir, hrDir, workers }).pipe(toArray()));
  const cpu = process.cpuUsage(c);
  const summary = events.find((e) => e.kind === 'summary');
  if (!summary || summary.kind !== 'summary') throw new Error('no summary');
  graphRuns.push({ workers, wallS: (now() - t) / 1000, cpuS: (cpu.user + cpu.system) / 1e6, n: summary.summary.n, mean: summary.summary.mean });
}
const { n, mean } = graphRuns[0];
const graphS = graphRuns[0].wallS;

// 2. each step alone
const { pairs } = pairByName(resolveImagePaths(lqDir), resolveImagePaths(hrDir), 'lq');
const t0 = now();
const decoded: Array<[RgbImage, RgbImage]> = [];
for (const p of pairs) decoded.push([await decodeImage(readFileSync(p.srPath)), await decodeImage(readFileSync(p.hrPath))]);
const decodeMs = (now() - t0) / pairs.length;
const step = <T>(f: (i: number) => T): [number, T[]] => {
  const s = now();
  const out = decoded.map((_, i) => f(i));
  return [(now() - s) / decoded.length, out];
};
const [bicubicMs, ups] = step((i) => bicubicUpscale(decoded[i][0], 4));
const [psnrMs] = step((i) => psnr(ups[i], decoded[i][1]));
const [ssimMs] = step((i) => ssim(ups[i], decoded[i][1]));
const [niqeMs] = step((i) => niqe(ups[i]));

console.log(`tadsr eval --bicubic on ${n} pairs (${lqDir})`);
console.log(`  means: PSNR ${mean.psnr?.toFixed(4)}  SSIM ${mean.ssim?.toFixed(4)}  NIQE ${mean.niqe?.toFixed(4)}`);
for (const r of graphRuns) {
  console.log(`  whole graph, workers=${r.workers}: ${r.wallS.toFixed(2)} s wall (${((r.wallS * 1000) / r.n).toFixed(1)} ms/image), ${r.cpuS.toFixed(2)} s CPU (${((r.cpuS * 1000) / r.n).toFixed(1)} ms/image); same means: ${JSON.stringify(r.mean) === JSON.stringify(mean)}`);
}
console.log(`  per step, ms/image: decode pair ${decodeMs.toFixed(1)}, bicubic x4 ${bicubicMs.toFixed(1)}, psnr ${psnrMs.toFixed(1)}, ssim ${ssimMs.toFixed(1)}, niqe ${niqeMs.toFixed(1)}`);

// 3. the numpy cross-check, same run
const python = process.env.TADSR_PYTHON ?? 'python3';
const probe = spawnSync(python, ['-c', 'import numpy, scipy, PIL'], { encoding: 'utf8' });
if (probe.status !== 0) {
  console.log(`  numpy cross-check skipped: ${python} lacks numpy/scipy/pillow (set TADSR_PYTHON)`);
} else {
  const out = join(mkdtempSync(join(tmpdir(), 'tadsr-evalbench-')), 'py.json');
  const s = now();
  const r = spawnSync(python, [join(root, 'bench', 'eval_crosscheck.py'), 'bicubic', lqDir, hrDir, '--json', out], { encoding: 'utf8' });
  const pyWall = (now() - s) / 1000;
  if (r.status !== 0) throw new Error(`cross-check failed: ${r.stderr}`);
  const py = JSON.parse(readFileSync(out, 'utf8')) as {
    n: number;
    mean: { psnr: number; ssim: number; niqe: number };
    seconds: { total: number; cpu: number; psnr: number; ssim: number; niqe: number; bicubic: number };
  };
  const ms = (sec: number): string => ((sec * 1000) / py.n).toFixed(1);
  console.log(`numpy cross-check (${python}, bench/eval_crosscheck.py), same conventions:`);
  console.log(`  means: PSNR ${py.mean.psnr.toFixed(4)}  SSIM ${py.mean.ssim.toFixed(4)}  NIQE ${py.mean.niqe.toFixed(4)}`);
  console.log(`  |Δ| vs tadsr: PSNR ${Math.abs(py.mean.psnr - (mean.psnr ?? NaN)).toExponential(2)}  SSIM ${Math.abs(py.mean.ssim - (mean.ssim ?? NaN)).toExponential(2)}  NIQE ${Math.abs(py.mean.niqe - (mean.niqe ?? NaN)).toExponential(2)}`);
  console.log(`  total: ${pyWall.toFixed(2)} s wall (${py.seconds.total.toFixed(2)} s in its loop, ${py.seconds.cpu.toFixed(2)} s CPU), ms/image: bicubic ${ms(py.seconds.bicubic)}, psnr ${ms(py.seconds.psnr)}, ssim ${ms(py.seconds.ssim)}, niqe ${ms(py.seconds.niqe)}`);
  console.log(`ratios (python / tadsr workers=0): wall ${(pyWall / graphS).toFixed(2)}x, CPU ${(py.seconds.cpu / graphRuns[0].cpuS).toFixed(2)}x, python / tadsr workers=${poolSize} wall ${(pyWall / graphRuns[1].wallS).toFixed(2)}x;`);
  console.log(`  per step (python / tadsr, ms/image): bicubic ${((py.seconds.bicubic * 1000) / py.n / bicubicMs).toFixed(2)}x, psnr ${((py.seconds.psnr * 1000) / py.n / psnrMs).toFixed(2)}x, ssim ${((py.seconds.ssim * 1000) / py.n / ssimMs).toFixed(2)}x, niqe ${((py.seconds.niqe * 1000) / py.n / niqeMs).toFixed(2)}x`);
}
