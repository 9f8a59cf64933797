/**
 * `tadsr bench [--preset P] [--size 128] [--graph student] [--backends all | --device D] [--repeats 3] [--json]` —
 * the same graph on every backend and runtime present, one table. A thin wrapper over {@link benchmarkBackends}.
 */
import type { Command } from 'commander';
import { DEVICES } from '../../backends/onnx/device.js';
import { benchmarkBackends, formatBenchTable, type BenchGraph } from '../../graphs/bench.js';
import { presetByName } from '../../models/presets.js';
import { ModelDirError } from '../../graphs/model-dir.js';
import { benchmarkPeer, formatPeerBench } from '../../peers/peer-bench.js';
import { checkTileMemory } from '../../graphs/upscale-plan.js';
import { CliUsageError } from '../errors.js';

const GRAPHS: readonly BenchGraph[] = ['student', 'timeAwareEncoder', 'vaeEncoder', 'unet', 'vaeDecoder'];

interface BenchCliOptions {
  preset: string;
  size: string;
  graph: string;
  backends: string;
  device?: string;
  repeats: string;
  json?: boolean;
  quiet?: boolean;
  model?: string;
}

const HELP_AFTER = `
Weights are random (seeded) and identical for every backend; FLOPs are counted from the model spec.
"max |Δ| vs first" compares each backend's output with the first backend's (agreement check).

Examples:
  tadsr bench                                   # small preset, 128→512, every backend present
  tadsr bench --preset tiny --size 32 --json
  tadsr bench --graph unet --backends onnx:cpu,tfjs
  tadsr bench --model realesr-general-x4v3      # a GAN peer (tools/convert-peer.ts) on the onnx backend`;

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('time the same graph on every backend/runtime present (ms/image, GFLOP/s, memory, agreement)')
    .option('--preset <name>', 'model preset: tiny | small | sd21-base', 'small')
    .option('--size <px>', 'LQ size; the network sees the ×4 upsampled image', '128')
    .option('--graph <name>', `what to time: ${GRAPHS.join(' | ')}`, 'student')
    .option('--backends <list>', '"all" or comma-separated name[:variant] (onnx:cpu, onnx:cuda, tfjs:wasm …)', 'all')
    .option('--device <name>', 'run the onnx backend on this device only: auto | cpu | webgpu | cuda (same as --backends onnx:NAME)')
    .option('--repeats <n>', 'timed runs per backend after one warm-up (median reported)', '3')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress on stderr')
    .option('--model <name>', 'time a GAN peer instead (realesr-general-x4v3 | realesrgan-x4plus; onnx backend, whole image up to 128², tiled above)')
    .addHelpText('after', HELP_AFTER)
    .action(async (o: BenchCliOptions) => {
      const size = Number(o.size);
      const repeats = Number(o.repeats);
      if (!Number.isInteger(size) || size <= 0) throw new CliUsageError(`--size must be a positive integer, got "${o.size}"`);
      if (!Number.isInteger(repeats) || repeats <= 0) throw new CliUsageError(`--repeats must be a positive integer, got "${o.repeats}"`);
      if (o.model !== undefined) {
        try {
          const r = await benchmarkPeer(o.model, { size, repeats });
          process.stdout.write(o.json === true ? `${JSON.stringify(r, null, 2)}\n` : `${formatPeerBench(r)}\n`);
        } catch (err) {
          if (!(err instanceof ModelDirError)) throw err;
          throw new CliUsageError(err.message);
        }
        return;
      }
      if (!GRAPHS.includes(o.graph as BenchGraph)) throw new CliUsageError(`--graph must be one of ${GRAPHS.join(', ')}, got "${o.graph}"`);
      if (o.device !== undefined && !(DEVICES as readonly string[]).includes(o.device)) throw new CliUsageError(`--device must be one of ${DEVICES.join(', ')}, got "${o.device}"`);
      if (o.device !== undefined && o.backends !== 'all') throw new CliUsageError('give --device or --backends, not both');
      let spec;
      try {
        spec = presetByName(o.preset);
      } catch (err) {
        throw new CliUsageError(`--preset: ${(err as Error).message}`);
      }
      checkTileMemory(spec, size, undefined, '--size');
      const backends = o.device !== undefined ? [`onnx:${o.device}`] : o.backends === 'all' ? 'all' : o.backends.split(',').map((s) => s.trim()).filter(Boolean);
      const result = await benchmarkBackends({
        spec,
        size,
        graph: o.graph as BenchGraph,
        backends,
        repeats,
        onProgress: o.quiet === true || o.json === true ? undefined : (m) => process.stderr.write(`${m}\n`),
      });
      process.stdout.write(o.json === true ? `${JSON.stringify(result, null, 2)}\n` : `${formatBenchTable(result)}\n`);
      if (result.rows.some((r) => r.error !== undefined)) process.exitCode = 1;
    });
}
