/**
 * `tadsr bench [--preset P] [--size 128] [--graph student] [--backends all] [--repeats 3] [--json]` —
 * the same graph on every backend and runtime present, one table. A thin wrapper over {@link benchmarkBackends}.
 */
import type { Command } from 'commander';
import { benchmarkBackends, formatBenchTable, type BenchGraph } from '../../graphs/bench.js';
import { presetByName } from '../../models/presets.js';
import { checkTileMemory } from '../../graphs/upscale-plan.js';
import { CliUsageError } from '../errors.js';

const GRAPHS: readonly BenchGraph[] = ['student', 'timeAwareEncoder', 'vaeEncoder', 'unet', 'vaeDecoder'];

interface BenchCliOptions {
  preset: string;
  size: string;
  graph: string;
  backends: string;
  repeats: string;
  json?: boolean;
  quiet?: boolean;
}

const HELP_AFTER = `
Weights are random (seeded) and identical for every backend; FLOPs are counted from the model spec.
"max |Δ| vs first" compares each backend's output with the first backend's (agreement check).

Examples:
  tadsr bench                                   # small preset, 128→512, every backend present
  tadsr bench --preset tiny --size 32 --json
  tadsr bench --graph unet --backends onnx:cpu,tfjs`;

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('time the same graph on every backend/runtime present (ms/image, GFLOP/s, memory, agreement)')
    .option('--preset <name>', 'model preset: tiny | small | sd21-base', 'small')
    .option('--size <px>', 'LQ size; the network sees the ×4 upsampled image', '128')
    .option('--graph <name>', `what to time: ${GRAPHS.join(' | ')}`, 'student')
    .option('--backends <list>', '"all" or comma-separated name[:variant] (onnx:cpu, onnx:cuda, tfjs:wasm …)', 'all')
    .option('--repeats <n>', 'timed runs per backend after one warm-up (median reported)', '3')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress on stderr')
    .addHelpText('after', HELP_AFTER)
    .action(async (o: BenchCliOptions) => {
      const size = Number(o.size);
      const repeats = Number(o.repeats);
      if (!Number.isInteger(size) || size <= 0) throw new CliUsageError(`--size must be a positive integer, got "${o.size}"`);
      if (!Number.isInteger(repeats) || repeats <= 0) throw new CliUsageError(`--repeats must be a positive integer, got "${o.repeats}"`);
      if (!GRAPHS.includes(o.graph as BenchGraph)) throw new CliUsageError(`--graph must be one of ${GRAPHS.join(', ')}, got "${o.graph}"`);
      let spec;
      try {
        spec = presetByName(o.preset);
      } catch (err) {
        throw new CliUsageError(`--preset: ${(err as Error).message}`);
      }
      checkTileMemory(spec, size, undefined, '--size');
      const backends = o.backends === 'all' ? 'all' : o.backends.split(',').map((s) => s.trim()).filter(Boolean);
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
