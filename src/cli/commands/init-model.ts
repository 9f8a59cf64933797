/**
 * `tadsr init-model --preset tiny|small|small-taef2|sd21-base --out DIR [--seed N]` — write a freshly initialised (untrained)
 * model directory, to try the pipeline end to end before a model is trained. A thin wrapper over
 * {@link initModelDir}.
 */
import type { Command } from 'commander';
import { initModelDir } from '../../graphs/model-dir.js';

export function registerInitModel(program: Command): void {
  program
    .command('init-model')
    .description('write an untrained model directory of a preset (for trying the pipeline)')
    .requiredOption('--preset <name>', 'tiny | small | small-taef2 | sd21-base')
    .requiredOption('--out <dir>', 'model directory to write')
    .option('--seed <n>', 'initialisation seed', '0')
    .action(async (o: { preset: string; out: string; seed: string }) => {
      if (!/^\d+$/.test(o.seed)) {
        process.stderr.write(`tadsr init-model: --seed must be a non-negative integer, got "${o.seed}"\n`);
        process.exitCode = 2;
        return;
      }
      // an unknown preset is an UnknownPresetError: main() reports it and exits 2 (src/cli/errors.ts)
      await initModelDir(o.out, o.preset, { seed: Number(o.seed) });
      process.stderr.write(`wrote untrained ${o.preset} model to ${o.out} (outputs are noise until trained: tadsr pretrain / tadsr train)\n`);
    });
}
