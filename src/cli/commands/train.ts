/**
 * `tadsr train --config F [--resume] [--seed N] [--steps N] [--out DIR] [--quiet]` — TADSR distillation (src/graphs/train.ts). Progress bar on a TTY,
 * one line per checkpoint; every loss term of every step goes to OUT/log.jsonl.
 */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { lastValueFrom, tap } from 'rxjs';
import { train } from '../../graphs/train.js';
import { loadTrainConfig } from '../../graphs/train-config.js';

const HELP_AFTER = `
The config is JSON (validated; unknown keys are errors). Minimal:
  { "teacher": "runs/teacher/model", "data": { "hq": "/data/hq", "patch": 256 }, "out": "runs/distill", "steps": 2000 }
or "preset": "tiny" instead of "teacher" for an untrained smoke run. See configs/ for complete examples and
src/graphs/train-config.ts for every key. --resume continues the run in "out" from its latest checkpoint
(same next step, same data order). Text: no text encoder; a fixed all-zero embedding is used.`;

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('distil a one-step TADSR student from a teacher (time-aware encoder + TAVSD)')
    .requiredOption('--config <file>', 'training config JSON')
    .option('--resume', 'continue from the latest checkpoint in the config\'s "out"')
    .option('--seed <n>', 'replace the config\'s "seed" (data order, noise, LoRA init)', Number)
    .option('--steps <n>', 'replace the config\'s "steps"', Number)
    .option('--out <dir>', 'replace the config\'s "out" (relative to the working directory)')
    .option('-q, --quiet', 'no progress bar')
    .addHelpText('after', HELP_AFTER)
    .action(async (o: { config: string; resume?: boolean; quiet?: boolean; seed?: number; steps?: number; out?: string }) => {
      const cfg = await loadTrainConfig(o.config, { seed: o.seed, steps: o.steps, out: o.out });
      const bar = !o.quiet && process.stderr.isTTY === true ? new SingleBar({ format: 'train [{bar}] {value}/{total} loss {loss}', stream: process.stderr }) : undefined;
      try {
        await lastValueFrom(
          train(cfg, { resume: o.resume === true }).pipe(
            tap((e) => {
              if (e.type === 'start') {
                if (!o.quiet) process.stderr.write(`${e.runtime}\n${e.notes.map((n) => `  ${n}`).join('\n')}\n`);
                bar?.start(e.steps, e.step, { loss: '-' });
              } else if (e.type === 'step') {
                bar?.update(e.step, { loss: e.loss_student.toFixed(4) });
              } else if (e.type === 'warning') {
                process.stderr.write(`\ntadsr train: ${e.message}\n`);
              } else if (e.type === 'checkpoint' && !o.quiet && !bar) {
                process.stderr.write(`checkpoint ${e.dir}\n`);
              } else if (e.type === 'done' && !o.quiet) {
                bar?.stop();
                process.stderr.write(`model written to ${e.modelDir}\n`);
              }
            }),
          ),
        );
      } catch (err) {
        bar?.stop();
        throw err; // the one error contract (src/cli/errors.ts): message and exit code
      }
      bar?.stop();
    });
}
