/**
 * The files of a training run directory: the JSONL log (one line per step with every loss term) and atomic
 * checkpoints (`checkpoints/step-000100/` written under a temporary name and renamed, then `checkpoints/latest`
 * updated atomically), so a crash at any moment leaves the previous checkpoint intact.
 */
import { appendFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostTensor } from '../../backends/backend.js';
import { writeFileAtomic } from '../../io/encode-image.js';
import { readSafetensors, writeSafetensors } from '../../models/safetensors.js';

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
}

/** Load the latest checkpoint of a run, or undefined when there is none. */
export async function readLatestCheckpoint(runDir: string, groups: readonly string[]): Promise<LoadedCheckpoint | undefined> {
  let name: string;
  try {
    name = (await readFile(join(runDir, 'checkpoints', 'latest'), 'utf8')).trim();
  } catch {
    return undefined;
  }
  const dir = join(runDir, 'checkpoints', name);
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as LoadedCheckpoint['state'];
  const out: Record<string, Map<string, HostTensor>> = {};
  for (const g of groups) out[g] = await readSafetensors(join(dir, `${g}.safetensors`));
  return { dir, state, groups: out };
}
