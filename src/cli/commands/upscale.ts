/**
 * `tadsr upscale IN... -o OUT [--t-s 300] [--model DIR] [--tile N --overlap N] [--shared-norm] [--color-fix adain|wavelet|none]
 * [--backend onnx|tfjs] [--device auto|cpu|webgpu|cuda] [--seed N] [--scale 4] [--overwrite] [--max-pixels N] [--quiet]` — one-step TADSR super-resolution. A thin wrapper over
 * {@link upscale} (src/graphs/infer.ts).
 */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { lastValueFrom, tap } from 'rxjs';
import { DeviceError, parseDevice } from '../../backends/onnx/device.js';
import { parseColorFix } from '../../color/color-fix.js';
import { UsageError, defaultModelDir, upscale } from '../../graphs/infer.js';
import { defaultMaxPixels } from '../../graphs/upscale-plan.js';
import { parseTs } from '../../schedule/timesteps.js';

interface UpscaleCliOptions {
  output: string;
  tS?: string;
  model?: string;
  tile?: string;
  overlap?: string;
  sharedNorm?: boolean;
  colorFix?: string;
  backend?: string;
  device?: string;
  seed?: string;
  scale?: string;
  formula?: string;
  overwrite?: boolean;
  maxPixels?: string;
  prompt?: string;
  tags?: string;
  quiet?: boolean;
  queue?: string;
  queueName: string;
  wait?: boolean;
  retryFailed?: boolean;
}

const HELP_AFTER = `
t_s trades fidelity (small) for realism (large); the paper's default is 500. A folder in gives a folder out
with the same file names; a single file in with an image name for -o gives that file. Images of any size are
tiled (--tile LQ pixels, Gaussian blending over --overlap pixels); every tile uses the same t_s.
Without --seed the encoder's posterior mean is used (deterministic); with --seed N a posterior sample drawn
from seed N (the official code samples, unseeded). A model with a text encoder (exported from SD 2.1 with
tools/export_checkpoint.py) conditions the UNet on each image's prompt "{tags}, {--prompt}," as the official
code does (tags from --tags, a JSON-lines file of {"name", "tags"}); with neither, on the empty prompt's
embedding. Models without a text encoder get a fixed zero condition and refuse --prompt/--tags.
Unreadable files (FIFOs and devices too; with --tags, images without tags) are reported and skipped; the exit
code is then 1. Existing outputs are replaced only with --overwrite; an output that is one of the inputs, or two
inputs with the same name, are refused (exit 2, nothing written). Images over --max-pixels LQ pixels fail from
their header alone, before decoding (the message gives the estimated time and memory).
GAN peers: --model realesr-general-x4v3 | realesrgan-x4plus runs Real-ESRGAN's nets (converted once with
tools/convert-peer.ts) on the same tiling; t_s, --color-fix, --formula, --seed and prompts do not apply to them
and are ignored.

Examples:
  tadsr upscale photo.png -o photo_x4.png --model runs/small/model
  tadsr upscale lq/ -o sr/ --t-s 300 --tile 96 --overlap 24 --color-fix wavelet
  tadsr upscale lq/ -o sr/ --model models/tadsr-sd21 --tags lq_tags.jsonl --prompt "clean, high-resolution, 8k"
  tadsr upscale photo.png -o photo_x4.png --model realesr-general-x4v3`;

function usage(message: string): number {
  process.stderr.write(`tadsr upscale: ${message}\n`);
  return 2;
}

function intOpt(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${v}"`);
  return Number(v);
}

export function registerUpscale(program: Command): void {
  program
    .command('upscale')
    .description('super-resolve images ×4 in one diffusion step (TADSR)')
    .argument('<inputs...>', 'image files or folders')
    .requiredOption('-o, --output <path>', 'output folder (or file, for one input file)')
    .option('--t-s <n>', 'student timestep t_s, integer 0..999 (default: the model\'s: 300 for models/default)')
    .option('--model <dir>', `model directory (default: ${defaultModelDir()}), or a GAN peer name: realesr-general-x4v3 | realesrgan-x4plus`)
    .option('--tile <n>', 'tile side in LQ pixels (default 128)')
    .option('--overlap <n>', 'tile overlap in LQ pixels (default: min(32, tile/4))')
    .option('--shared-norm', 'tiles share GroupNorm, attention and colour statistics, so tiled = whole image (ONNX, outputs up to 1024²; about 1.3 GB more memory, up to 1.4× the time)')
    .option('--color-fix <mode>', 'adain | wavelet | none (default: the model\'s, adain)')
    .option('--backend <name>', 'onnx | tfjs (default onnx)')
    .option('--device <name>', 'auto | cpu | webgpu | cuda (onnx; default auto: CUDA, else a hardware WebGPU adapter, else CPU)')
    .option('--seed <n>', 'sample the encoder posterior with this seed (default: posterior mean)')
    .option('--formula <name>', 'override the one-step formula: ddpm-x0 | official')
    .option('--prompt <text>', 'user prompt, models with a text encoder: each image gets "{tags}, {prompt},"')
    .option('--tags <file>', 'JSON lines {"name": "0001.png", "tags": "…"} per image (e.g. from DAPE/RAM)')
    .option('--scale <n>', 'upscaling factor (only 4)', '4')
    .option('--overwrite', 'replace output files that exist already (never an input)')
    .option('--max-pixels <n>', `largest LQ image in pixels, read from its header (default: ${defaultMaxPixels()}, sized to this machine's memory)`)
    .option('-q, --quiet', 'no progress bar or summary')
    .option('--queue <url>', 'enqueue one job per image on this Redis (redis://HOST:PORT[/DB]) for `tadsr worker`s')
    .option('--queue-name <name>', 'BullMQ queue name', 'tadsr')
    .option('--wait', 'with --queue: follow the jobs to the end')
    .option('--retry-failed', 'with --queue: put failed jobs of an earlier run back on the queue')
    .addHelpText('after', HELP_AFTER)
    .action(async (inputs: string[], o: UpscaleCliOptions) => {
      process.exitCode = await runUpscale(inputs, o);
    });
}

async function runUpscale(inputs: string[], o: UpscaleCliOptions): Promise<number> {
  let tS: number | undefined;
  let opts;
  try {
    tS = o.tS === undefined ? undefined : parseTs(o.tS);
    if (o.formula !== undefined && o.formula !== 'ddpm-x0' && o.formula !== 'official') throw new UsageError(`--formula must be ddpm-x0 or official, got "${o.formula}"`);
    opts = {
      ...(tS !== undefined ? { tS } : {}),
      ...(o.model ? { model: o.model } : {}),
      ...(o.tile ? { tile: intOpt('tile', o.tile, 8, 4096)! } : {}),
      ...(o.overlap ? { overlap: intOpt('overlap', o.overlap, 0, 4095)! } : {}),
      ...(o.sharedNorm ? { sharedNorm: true } : {}),
      ...(o.colorFix ? { colorFix: parseColorFix(o.colorFix) } : {}),
      ...(o.backend ? { backend: o.backend } : {}),
      ...(o.device ? { device: parseDevice(o.device) } : {}),
      ...(o.seed ? { seed: intOpt('seed', o.seed, 0, Number.MAX_SAFE_INTEGER)! } : {}),
      ...(o.formula ? { formula: o.formula as 'ddpm-x0' | 'official' } : {}),
      ...(o.overwrite ? { overwrite: true } : {}),
      ...(o.maxPixels ? { maxPixels: intOpt('max-pixels', o.maxPixels, 1, Number.MAX_SAFE_INTEGER)! } : {}),
      ...(o.prompt !== undefined ? { prompt: o.prompt } : {}),
      ...(o.tags !== undefined ? { tags: o.tags } : {}),
      scale: intOpt('scale', o.scale, 1, 16)!,
    };
  } catch (err) {
    return usage((err as Error).message);
  }
  if (o.queue === undefined && (o.wait || o.retryFailed)) return usage('--wait and --retry-failed go with --queue');
  if (o.queue !== undefined) {
    if (o.backend !== undefined) return usage('--backend is for a run on this machine; workers pick their own');
    // loaded on demand: BullMQ and ioredis cost a local run nothing
    const { runUpscaleOnQueue } = await import('./upscale-queue.js');
    const { backend: _b, scale: _s, ...jobOpts } = opts;
    return runUpscaleOnQueue(inputs, o.output, {
      ...jobOpts,
      queue: o.queue,
      queueName: o.queueName,
      wait: o.wait === true,
      retryFailed: o.retryFailed === true,
      quiet: o.quiet === true,
    });
  }
  // One overall bar on a terminal: images done / total, images/s, ETA, and the current image's tiles inside it
  // (the bar's unit is 1/1000 image). Without a terminal: one line per image.
  const bar = !o.quiet && process.stderr.isTTY === true
    ? new SingleBar({ format: 'upscale [{bar}] {done}/{files} images | {rate} img/s | ETA {eta_formatted} | {name} {tile}', stream: process.stderr, etaBuffer: 200 })
    : undefined;
  const failures: string[] = [];
  let ok = 0;
  let files = 0;
  let t0 = 0;
  const payload = (name: string, tile: string) => {
    const s = (performance.now() - t0) / 1000;
    return { done: ok + failures.length, files, rate: s > 0 && ok > 0 ? (ok / s).toFixed(2) : '-', name, tile };
  };
  try {
    await lastValueFrom(
      upscale(inputs, o.output, opts).pipe(
        tap((e) => {
          if (e.type === 'tile') {
            bar?.update((ok + failures.length) * 1000 + Math.round((1000 * (e.index + 1)) / e.count), payload(e.path, `tile ${e.index + 1}/${e.count}`));
          } else if (e.type === 'error') {
            failures.push(`${e.path}: ${e.message}`);
            bar?.update((ok + failures.length) * 1000, payload(e.path, 'failed'));
          } else if (e.type === 'file') {
            ok++;
            bar?.update((ok + failures.length) * 1000, payload(e.path, 'done'));
            if (!o.quiet && !bar) process.stderr.write(`[${ok + failures.length}/${files}] ${e.out} (${e.width}x${e.height}, ${e.ms} ms)\n`);
          } else if (e.type === 'start') {
            files = e.files;
            t0 = performance.now();
            if (!o.quiet) process.stderr.write(`${e.files} image(s) on ${e.backend}; model ${e.model}\n`);
            bar?.start(e.files * 1000, 0, payload('', ''));
          }
        }),
      ),
    );
  } catch (err) {
    bar?.stop();
    if (err instanceof RangeError) return usage(err.message);
    throw err; // the one error contract (src/cli/errors.ts): message and exit code
  }
  bar?.stop();
  for (const f of failures) process.stderr.write(`tadsr upscale: skipped ${f}\n`);
  if (!o.quiet) process.stderr.write(`${ok} written, ${failures.length} failed\n`);
  return failures.length > 0 ? 1 : 0;
}
