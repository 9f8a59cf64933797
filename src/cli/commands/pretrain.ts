/**
 * `tadsr pretrain --config F [--resume] [--quiet]` — make a teacher for small presets: the VAE, then the latent
 * diffusion UNet (src/graphs/pretrain.ts). `sd21-base`: pass diffusers' SD 2.1-base safetensors as `init`.
 */
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { runPretraining } from '../../graphs/pretrain.js';
import { loadPretrainConfig } from '../../graphs/pretrain-config.js';

const HELP_AFTER = `
Config (JSON, validated):
  { "preset": "small", "data": { "hq": "/data/hq", "patch": 128, "batch": 4 }, "out": "runs/teacher",
    "vae": { "steps": 20000, "lr": 1e-4, "klWeight": 1e-6 }, "unet": { "steps": 50000, "lr": 1e-4 } }
For sd21-base add "init": { "unet": ".../unet/diffusion_pytorch_model.safetensors",
  "vae": ".../vae/diffusion_pytorch_model.safetensors" } and steps 0 to only convert the weights.
The result, OUT/model, is the "teacher" of tadsr train.`;

export function registerPretrain(program: Command): void {
  program
    .command('pretrain')
    .description('pre-train a teacher (VAE, then latent diffusion UNet) for presets without SD weights')
    .requiredOption('--config <file>', 'pre-training config JSON')
    .option('--resume', 'continue from the latest checkpoint in the config\'s "out"')
    .option('-q, --quiet', 'no progress bar')
    .addHelpText('after', HELP_AFTER)
    .action(async (o: { config: string; resume?: boolean; quiet?: boolean }) => {
      const cfg = await loadPretrainConfig(o.config);
      const bar = !o.quiet && process.stderr.isTTY === true ? new SingleBar({ format: 'pretrain {stage} [{bar}] {value}/{total} loss {loss}', stream: process.stderr }) : undefined;
      try {
        await runPretraining(cfg, { resume: o.resume === true }, (e) => {
          if (e.type === 'start') {
            bar?.stop();
            bar?.start(e.steps, e.step, { stage: e.stage, loss: '-' });
          } else if (e.type === 'step') bar?.update(e.step, { stage: e.stage, loss: e.loss.toFixed(4) });
          else if (e.type === 'warning') process.stderr.write(`\ntadsr pretrain: ${e.message}\n`);
          else if (e.type === 'done') {
            bar?.stop();
            if (!o.quiet) process.stderr.write(`teacher written to ${e.modelDir}\n`);
          }
        });
      } catch (err) {
        bar?.stop();
        throw err; // the one error contract (src/cli/errors.ts): message and exit code
      }
      bar?.stop();
    });
}
