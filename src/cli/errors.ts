/**
 * The one error contract of every `tadsr` command: which errors are the user's to fix (usage or config: exit 2,
 * nothing was done), which are a run that stopped or a part of the inputs that failed (exit 1), and one message
 * format, `tadsr <command>: <message>`, on stderr.
 *
 * | exit | meaning |
 * |---|---|
 * | 0 | everything asked for was done |
 * | 1 | some inputs failed (listed; the rest was done), or the work stopped on a run-time fault (a diverged training run, a failed allocation) |
 * | 2 | usage or config error: a bad option, config, model folder or output; nothing was written |
 *
 * ```ts
 * try { … } catch (err) { return reportError('upscale', err); }   // prints "tadsr upscale: …", returns 2 or 1
 * ```
 */
import { CommanderError } from 'commander';
import { DeviceError } from '../backends/onnx/device.js';
import { UnknownBackendError } from '../backends/registry.js';
import { DegradationConfigError } from '../degradation/config.js';
import { ConfigError } from '../graphs/config-json.js';
import { DegradeUsageError } from '../graphs/degrade-dataset.js';
import { UsageError as InferUsageError } from '../graphs/infer.js';
import { ModelDirError } from '../graphs/model-dir.js';
import { CheckpointReadError } from '../graphs/training/run-files.js';
import { TrainError } from '../graphs/training/train-error.js';
import { BudgetError } from '../graphs/upscale-plan.js';
import { RunLockError } from '../io/run-lock.js';
import { OutputError } from '../io/safe-output.js';
import { UnknownPresetError } from '../models/presets.js';
import { ModelSpecError } from '../models/schema.js';
import { CheckpointMismatchError, SafetensorsFormatError } from '../models/safetensors.js';

export const EXIT_OK = 0;
export const EXIT_SOME_FAILED = 1;
export const EXIT_USAGE = 2;

/** A usage error raised by a command's own option checks. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

const USAGE_ERRORS: readonly (abstract new (...args: never[]) => Error)[] = [
  CliUsageError,
  InferUsageError,
  ModelDirError,
  ModelSpecError,
  UnknownPresetError,
  ConfigError,
  DegradeUsageError,
  DegradationConfigError,
  TrainError,
  CheckpointMismatchError,
  SafetensorsFormatError,
  UnknownBackendError,
  RunLockError,
  OutputError,
  BudgetError,
  CheckpointReadError,
  DeviceError,
];

/** The exit code an error stands for: 2 for usage/config errors (and commander's), 1 for anything else. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) return isHelpOrVersion(err) ? EXIT_OK : EXIT_USAGE;
  if (USAGE_ERRORS.some((C) => err instanceof C)) return EXIT_USAGE;
  return EXIT_SOME_FAILED;
}

/** `--help`/`--version` exit through commander's error path with code 0 (help shown for a missing command is not). */
export function isHelpOrVersion(err: CommanderError): boolean {
  return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0;
}

/** The message line of an error, without a repeated `tadsr …:` prefix. */
export function messageOf(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/^error: /, '').replace(/^tadsr( [\w-]+)?: /, '');
}

/** Print `tadsr <command>: <message>` on stderr and return the exit code the error stands for. */
export function reportError(command: string | undefined, err: unknown): number {
  process.stderr.write(`${prefix(command)}${messageOf(err)}\n`);
  return exitCodeOf(err);
}

export function prefix(command: string | undefined): string {
  return command ? `tadsr ${command}: ` : 'tadsr: ';
}
