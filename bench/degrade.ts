/**
 * Degradation throughput: tadsr (1 and 2 worker threads) beside BasicSR's own pipeline, on the same images,
 * in one run.
 *
 *   npx tsx bench/degrade.ts [--n 40] [--size 512] [--workers 1,2] [--usm] [--python ~/venvs/basicsr-degrade/bin/python]
 *
 * Images: every k-th file of ../shared/data/train/* (sorted), so all sub-sets are represented. 512² HQ crops
 * → 128² LQ (scale 4), OSEDiff flow (no USM) unless --usm. Rows:
 *   - BasicSR, degrade only: bench/degrade_basicsr.py (RealESRGANDataset kernels + feed_data ops + DiffJPEG,
 *     torch CPU, one process, torch's default intra-op threads) — read + degrade;
 *   - BasicSR + PNG writes: the same, also cv2.imwrite of HQ and LQ;
 *   - tadsr in-thread: decode + degradeImage in this thread (no writes);
 *   - tadsr degradeDataset, N workers: the full `tadsr degrade` graph (decode, degrade, PNG writes, manifest);
 *     its CPU s/pair leaves out the worker threads' start-up (measured by a first run over N images, and shown).
 * The machine is shared: compare ratios measured in this run, not absolute numbers across runs. With the kernel's
 * autogroup scheduling on (as here), a process's threads share one CPU share under contention, so 1 → 2 workers
 * shows no wall-clock gain on a loaded machine; the CPU-seconds-per-pair column is the load-independent measure.
 * BasicSR rows are skipped (with a note) when the Python environment is missing; set it up with
 *   python3 -m venv ~/venvs/basicsr-degrade && ~/venvs/basicsr-degrade/bin/pip install numpy scipy \
 *     opencv-python-headless torch torchvision && ~/venvs/basicsr-degrade/bin/pip install --no-build-isolation basicsr
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { parseDegradationConfig } from '../src/degradation/config.js';
import { degradeImage } from '../src/degradation/pipeline.js';
import { degradeDataset } from '../src/graphs/degrade-dataset.js';
import { decodeImage } from '../src/io/decode-image.js';
import { idFromPath, isImagePath } from '../src/io/list-images.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}
const N = Number(arg('n', '40'));
const SIZE = Number(arg('size', '512'));
const WORKERS = arg('workers', '1,2').split(',').map(Number);
const USM = process.argv.includes('--usm');
const PYTHON = arg('python', join(homedir(), 'venvs/basicsr-degrade/bin/python'));
const TRAIN = new URL('../../shared/data/train/', import.meta.url).pathname;

function pickImages(): string[] {
  const all: string[] = [];
  for (const sub of readdirSync(TRAIN).sort()) {
    const dir = join(TRAIN, sub);
    for (const f of readdirSync(dir).sort()) if (isImagePath(f)) all.push(join(dir, f));
  }
  const step = all.length / N;
  const picked = Array.from({ length: Math.min(N, all.length) }, (_, i) => all[Math.floor(i * step)]);
  // ids must be unique for the dataset graph
  const seen = new Set<string>();
  return picked.filter((p) => !seen.has(idFromPath(p)) && seen.add(idFromPath(p)));
}

interface Row {
  name: string;
  pairsPerS: number;
  /** CPU seconds (all threads of the process) per pair: independent of how loaded the machine is. */
  cpuPerPair: number;
}

/** CPU seconds used by this process (all threads, workers included) since `from`. */
function cpuSince(from: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
}

function basicsr(images: string[], write: boolean): Row | null {
  if (!existsSync(PYTHON)) return null;
  const script = new URL('./degrade_basicsr.py', import.meta.url).pathname;
  const out = write ? mkdtempSync(join(tmpdir(), 'bench-basicsr-')) : null;
  try {
    const args = [script, '--size', String(SIZE), '--scale', '4', ...(USM ? ['--usm'] : []), ...(out ? ['--write', out] : []), ...images];
    const text = execFileSync(PYTHON, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 });
    const r = JSON.parse(text.trim().split('\n').pop() as string) as {
      pairs_per_s: number;
      cpu_seconds_per_pair: number;
      torch_threads: number;
      torch: string;
    };
    return {
      name: `BasicSR ${write ? '+ PNG writes' : 'degrade only'} (torch ${r.torch}, ${r.torch_threads} threads)`,
      pairsPerS: r.pairs_per_s,
      cpuPerPair: r.cpu_seconds_per_pair,
    };
  } finally {
    if (out) rmSync(out, { recursive: true, force: true });
  }
}

async function inThread(images: string[]): Promise<Row> {
  const cfg = parseDegradationConfig({ gt_size: SIZE, usm: USM });
  const first = await decodeImage(readFileSync(images[0]));
  await degradeImage(first, cfg, 0, 'warmup');
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (const p of images) await degradeImage(await decodeImage(readFileSync(p)), cfg, 0, idFromPath(p));
  return {
    name: 'tadsr in-thread (decode + degrade)',
    pairsPerS: images.length / ((performance.now() - t0) / 1000),
    cpuPerPair: cpuSince(c0) / images.length,
  };
}

/** One degradeDataset run over `images` with `workers` threads: wall seconds and CPU seconds of this process. */
async function datasetRun(images: string[], workers: number): Promise<{ written: number; wallS: number; cpuS: number }> {
  const inDir = mkdtempSync(join(tmpdir(), 'bench-degrade-in-'));
  for (const p of images) symlinkSync(p, join(inDir, basename(p)));
  const outDir = mkdtempSync(join(tmpdir(), 'bench-degrade-out-'));
  try {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const events = await lastValueFrom(
      degradeDataset({ inDir, outDir, seed: 0, size: SIZE, workers, config: { usm: USM } }).pipe(toArray()),
    );
    const s = events.find((e) => e.type === 'summary');
    if (!s || s.type !== 'summary' || s.failed.length) throw new Error(`dataset run failed: ${JSON.stringify(s)}`);
    return { written: s.written, wallS: (performance.now() - t0) / 1000, cpuS: cpuSince(c0) };
  } finally {
    rmSync(inDir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * The full graph with `workers` threads. Its CPU includes starting the worker threads (under `npx tsx` each one
 * compiles the sources: about a second of CPU, charged `workers` times), which over a few dozen pairs hides the
 * per-pair cost: a first run over `workers` images (start-up + one pair per thread) is subtracted from the full
 * run, giving the steady CPU s/pair of the threads at work, and the start-up on its own.
 */
async function dataset(images: string[], workers: number): Promise<Row> {
  const warm = await datasetRun(images.slice(0, workers), workers);
  const full = await datasetRun(images, workers);
  const steady = (full.cpuS - warm.cpuS) / (full.written - warm.written);
  return {
    name: `tadsr degradeDataset, ${workers} worker${workers > 1 ? 's' : ''} (+ PNG writes; start-up ${(warm.cpuS - workers * steady).toFixed(2)} CPU s not counted)`,
    pairsPerS: full.written / full.wallS,
    cpuPerPair: steady,
  };
}

const images = pickImages();
console.log(`degradation bench: ${images.length} images from ${TRAIN}, ${SIZE}² → ${SIZE / 4}², ${USM ? 'USM (Real-ESRGAN flow)' : 'no USM (OSEDiff flow)'}`);
console.log(`load average before: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2-core machine, shared)`);
const rows: (Row | null)[] = [];
const b1 = basicsr(images, false);
rows.push(b1);
rows.push(basicsr(images, true));
rows.push(await inThread(images));
for (const w of WORKERS) rows.push(await dataset(images, w));
const b2 = basicsr(images, false);
if (b2) rows.push({ ...b2, name: `${b2.name} (again, after)` });
const base = b1 && b2 ? (b1.pairsPerS + b2.pairsPerS) / 2 : b1?.pairsPerS;
const baseCpu = b1 && b2 ? (b1.cpuPerPair + b2.cpuPerPair) / 2 : b1?.cpuPerPair;
console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log('');
console.log('pairs/s = wall-clock throughput in this (shared) run; CPU s/pair = CPU time of all threads per pair,');
console.log('which does not depend on the load: on 2 idle cores, 2 workers would give about 2 / (CPU s/pair) pairs/s.');
console.log('Ratios are against the mean of the two BasicSR degrade-only runs.');
console.log('');
console.log(`| pipeline | pairs/s | × BasicSR | CPU s/pair | BasicSR CPU ÷ this CPU |`);
console.log(`|---|---:|---:|---:|---:|`);
for (const r of rows) {
  if (!r) continue;
  const x = base ? (r.pairsPerS / base).toFixed(2) : 'n/a';
  const c = baseCpu ? (baseCpu / r.cpuPerPair).toFixed(2) : 'n/a';
  console.log(`| ${r.name} | ${r.pairsPerS.toFixed(2)} | ${x} | ${r.cpuPerPair.toFixed(3)} | ${c} |`);
}
if (!b1) console.log(`(BasicSR rows skipped: no Python at ${PYTHON}; see the header of this file)`);
