/**
 * The files of a training run directory: the JSONL log (one line per step with every loss term) and atomic
 * checkpoints (`checkpoints/step-000100/` written under a temporary name and renamed, then `checkpoints/latest`
 * updated atomically), so a crash at any moment leaves the previous checkpoint intact.
 */
import { readdirSync } from 'node:fs';
import { appendFile, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostTensor } from '../../backends/backend.js';
import { writeFileAtomic } from '../../io/encode-image.js';
import { readSafetensors, writeSafetensors } from '../../models/safetensors.js';
import { TrainError } from './train-error.js';

/** Append one JSON line to `path`. */
export async function appendJsonl(path: string, record: Readonly<Record<string, unknown>>): Promise<void> {
  await appendFile(path, `${JSON.stringify(record)}\n`);
}

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}

/** Write a checkpoint: named tensor groups (one safetensors file each) + `state.json`; atomically. */
export async function writeCheckpoint(
  runDir: string,
  step: number,
  groups: Readonly<Record<string, ReadonlyMap<string, HostTensor>>>,
  state: Readonly<Record<string, unknown>>,
): Promise<string> {
  const root = join(runDir, 'checkpoints');
  await mkdir(root, { recursive: true });
  const name = checkpointName(step);
  const tmp = join(root, `.${name}.tmp-${process.pid}`);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  for (const [g, tensors] of Object.entries(groups)) await writeSafetensors(join(tmp, `${g}.safetensors`), tensors);
  await writeFileAtomic(join(tmp, 'state.json'), `${JSON.stringify({ step, ...state }, null, 2)}\n`);
  const final = join(root, name);
  await rm(final, { recursive: true, force: true });
  await rename(tmp, final);
  await writeFileAtomic(join(root, 'latest'), `${name}\n`);
  return final;
}

export interface LoadedCheckpoint {
  readonly dir: string;
  readonly state: Record<string, unknown> & { readonly step: number };
  readonly groups: Record<string, Map<string, HostTensor>>;
  /** Newer checkpoints that could not be read (corrupt, truncated), newest first, each with why. */
  readonly skipped: readonly { readonly dir: string; readonly message: string }[];
}

/** A checkpoint that cannot be loaded; the message names the file and what is wrong. */
export class CheckpointReadError extends Error {
  override name = 'CheckpointReadError';
}

const CHECKPOINT_NAME = /^step-\d{6,}$/;

/** Load one checkpoint folder (state.json + one safetensors file per group), checked. */
export async function readCheckpoint(dir: string, groups: readonly string[]): Promise<Omit<LoadedCheckpoint, 'skipped'>> {
  const statePath = join(dir, 'state.json');
  let text: string;
  try {
    text = await readFile(statePath, 'utf8');
  } catch (err) {
    throw new CheckpointReadError(`${statePath}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (err) {
    throw new CheckpointReadError(`${statePath} is not valid JSON (${(err as Error).message})`);
  }
  if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new CheckpointReadError(`${statePath} is not a JSON object`);
  const step = (state as Record<string, unknown>)['step'];
  if (!(typeof step === 'number' && Number.isSafeInteger(step) && step >= 0)) throw new CheckpointReadError(`${statePath}: "step" must be a non-negative integer, got ${JSON.stringify(step)}`);
  const out: Record<string, Map<string, HostTensor>> = {};
  for (const g of groups) {
    const path = join(dir, `${g}.safetensors`);
    try {
      out[g] = await readSafetensors(path);
    } catch (err) {
      const m = (err as Error).message;
      throw new CheckpointReadError(m.includes(path) ? m : `${path}: ${m}`);
    }
  }
  return { dir, state: state as LoadedCheckpoint['state'], groups: out };
}

/**
 * Load the latest good checkpoint of a run, or undefined when there is none: the `checkpoints/step-N` folders are
 * tried newest first (only names of that form: a `latest` pointer out of the folder is reported and ignored), and a
 * corrupt one is passed over for the next older; the ones passed over are in `skipped`. When checkpoints exist and
 * none can be read, a {@link CheckpointReadError} lists each with its problem.
 */
export async function readLatestCheckpoint(runDir: string, groups: readonly string[]): Promise<LoadedCheckpoint | undefined> {
  const root = join(runDir, 'checkpoints');
  let names: string[];
  try {
    names = (await readdir(root)).filter((n) => CHECKPOINT_NAME.test(n)).sort().reverse();
  } catch {
    return undefined;
  }
  const skipped: { dir: string; message: string }[] = [];
  const pointer = await readFile(join(root, 'latest'), 'utf8').then((t) => t.trim(), () => undefined);
  if (pointer !== undefined && !CHECKPOINT_NAME.test(pointer)) {
    skipped.push({ dir: join(root, 'latest'), message: `${join(root, 'latest')} does not name a checkpoint of this run (${JSON.stringify(pointer.slice(0, 80))}); ignored` });
  }
  // Every step-N folder appears only by renaming a complete temporary one: newest first.
  const order = names;
  for (const name of order) {
    try {
      return { ...(await readCheckpoint(join(root, name), groups)), skipped };
    } catch (err) {
      if (!(err instanceof CheckpointReadError)) throw err;
      skipped.push({ dir: join(root, name), message: err.message });
    }
  }
  if (order.length === 0) return undefined;
  throw new CheckpointReadError(`no checkpoint in ${root} can be read:\n  ${skipped.map((s) => s.message).join('\n  ')}`);
}

/** What a run folder holds that tadsr wrote (anything else in it is the user's and is never touched). */
const RUN_ENTRIES = new Set(['log.jsonl', 'checkpoints', 'model', '.lock']);

/**
 * Check, before any work, that a run may start in `out`: it is new or empty, or (with `resume`) a run folder. A
 * fresh start in a folder that holds checkpoints would overwrite them, and a folder with none of a run's entries
 * is someone else's: both are a {@link TrainError} (nothing is written), naming what is there.
 */
export function checkRunDirTarget(out: string, resume: boolean, command: string): void {
  let names: string[];
  try {
    names = readdirSync(out).filter((n) => n !== '.lock');
  } catch {
    return; // new (or not a folder: the write probe says so)
  }
  if (names.length === 0 || resume) return;
  let steps: string[] = [];
  try {
    steps = readdirSync(join(out, 'checkpoints')).filter((n) => CHECKPOINT_NAME.test(n)).sort();
  } catch {
    /* no checkpoints */
  }
  if (steps.length > 0) {
    throw new TrainError(`${out} already holds a run (checkpoints up to ${steps.at(-1)}): add --resume to continue it, or choose a new "out" (a fresh start would overwrite its checkpoints)`);
  }
  if (!names.some((n) => RUN_ENTRIES.has(n))) {
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length - 5} more)` : '');
    throw new TrainError(`refusing to start a ${command} run in ${out}: it is not empty and not a tadsr run folder (it holds ${shown}); choose a new or empty "out"`);
  }
}
