/** Every sub-command registers itself on the program. Add one line per command. */
import type { Command } from 'commander';
import { registerDegrade } from './degrade.js';
import { registerEval } from './eval.js';
import { registerBench } from './bench.js';
import { registerUpscale } from './upscale.js';
import { registerTrain } from './train.js';
import { registerInitModel } from './init-model.js';
import { registerPretrain } from './pretrain.js';
import { registerEvalModel } from './eval-model.js';
import { registerWorker } from './worker.js';
import { registerQueue } from './queue.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerDegrade, registerEval, registerBench, registerUpscale, registerTrain, registerInitModel, registerPretrain, registerEvalModel];
// the Redis job queue (issue 12)
commands.push(registerWorker, registerQueue);
