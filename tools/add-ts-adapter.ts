/**
 * Build a model folder with a t_s adapter (`src/models/ts-adapter.ts`) from a fine-tune: the fine-tune's `init`
 * model stays the student at t_s ≤ FROM, the fine-tune (its checkpoint's LoRA and fully trained tensors, as a
 * delta) is switched on from FROM to TO and is the whole student at t_s ≥ TO. The checkpoint must have been
 * trained from that very init (its recorded weight hash is checked). Writes F32; `bench/shipped-model-export.ts`
 * stores a folder as F16.
 *
 * ```sh
 * npx tsx tools/add-ts-adapter.ts --config models/small-taef2/ft-high-anchor100.json --step 100 \
 *   --from 300 --to 500 --out runs/dial/model
 * ```
 */
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkModelDirTarget, readManifest, writeModelDir } from '../src/graphs/model-dir.js';
import { loadTrainConfig } from '../src/graphs/train-config.js';
import { readInitWeights } from '../src/graphs/training/init-weights.js';
import { checkpointName, readCheckpoint, readLatestCheckpoint } from '../src/graphs/training/run-files.js';
import { checkTsGate, tsAdapterFromStudent } from '../src/models/ts-adapter.js';

/** A path as provenance records it: relative to the working directory when inside it. */
function shown(p: string): string {
  const r = relative(process.cwd(), p);
  return r.startsWith('..') || isAbsolute(r) ? p : r;
}

/** A usage or input problem; the message says what to do. */
export class AddTsAdapterError extends Error {
  override name = 'AddTsAdapterError';
}

export interface AddTsAdapterOptions {
  /** The fine-tune's training config (needs `init`). */
  readonly config: string;
  /** The checkpoint step (default: the run's latest). */
  readonly step?: number;
  readonly from: number;
  readonly to: number;
  readonly out: string;
}

/** Write `opts.out`: the init model with the fine-tune as its t_s adapter. Returns the adapter's module counts. */
export async function addTsAdapter(opts: AddTsAdapterOptions): Promise<{ unet: number; vae: number; step: number }> {
  const gate = checkTsGate({ from: opts.from, to: opts.to }, '--from/--to');
  checkModelDirTarget(opts.out);
  const cfg = await loadTrainConfig(opts.config);
  if (cfg.init == null) throw new AddTsAdapterError(`${opts.config} has no "init": a t_s adapter is the delta of a fine-tune to the model it started from`);
  const ck = opts.step === undefined
    ? await readLatestCheckpoint(cfg.out, ['student'])
    : await readCheckpoint(join(cfg.out, 'checkpoints', checkpointName(opts.step)), ['student']);
  if (ck === undefined) throw new AddTsAdapterError(`${cfg.out} has no checkpoint (run the fine-tune first)`);
  const manifest = await readManifest(cfg.init);
  const init = await readInitWeights(cfg.init, manifest.spec, cfg.tae);
  const fingerprint = JSON.parse(String(ck.state['fingerprint'] ?? '{}')) as { init?: string };
  if (fingerprint.init !== init.sha256) {
    throw new AddTsAdapterError(`${ck.dir} was not trained from ${cfg.init} (its start's weight hash ${fingerprint.init ?? 'is not recorded'}, the folder's ${init.sha256})`);
  }
  const adapter = tsAdapterFromStudent(init.weights, ck.groups['student']!, cfg.loraAlpha / cfg.loraRank, gate);
  await writeModelDir(opts.out, manifest.spec, { ...init.weights, tsAdapter: adapter }, {
    ...(manifest.preset ? { preset: manifest.preset } : {}),
    formula: manifest.formula,
    colorFix: manifest.colorFix,
    defaultTs: manifest.defaultTs,
    provenance: {
      ...manifest.provenance,
      createdAt: new Date().toISOString(),
      ...(manifest.provenance['createdAt'] === undefined ? {} : { baseCreatedAt: manifest.provenance['createdAt'] }),
      source: 'tools/add-ts-adapter.ts',
      ...(manifest.provenance['source'] === undefined ? {} : { baseSource: manifest.provenance['source'] }),
      base: shown(cfg.init),
      tsAdapterConfig: opts.config,
      tsAdapterCheckpoint: shown(ck.dir),
      tsAdapterStep: ck.state.step,
    },
  });
  const modules = (w: ReadonlyMap<string, unknown>) => new Set([...w.keys()].map((k) => k.replace(/\.(lora_[AB]|delta)\.(weight|bias)$/, ''))).size;
  return { unet: modules(adapter.unet), vae: modules(adapter.vae), step: ck.state.step };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const usage = 'usage: npx tsx tools/add-ts-adapter.ts --config FINETUNE.json [--step N] --from F --to T --out DIR\n';
  try {
    const { values } = parseArgs({ options: { config: { type: 'string' }, step: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } } });
    if (!values.config || !values.out || values.from === undefined || values.to === undefined) throw new AddTsAdapterError(usage.trim());
    const int = (name: string, v: string) => {
      if (!/^\d+$/.test(v)) throw new AddTsAdapterError(`--${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
      return Number(v);
    };
    const r = await addTsAdapter({
      config: values.config,
      ...(values.step === undefined ? {} : { step: int('step', values.step) }),
      from: int('from', values.from),
      to: int('to', values.to),
      out: values.out,
    });
    process.stderr.write(`wrote ${values.out}: step ${r.step}'s delta on ${r.unet} UNet and ${r.vae} encoder modules, on from t_s ${values.from} to ${values.to}\n`);
  } catch (err) {
    process.stderr.write(`add-ts-adapter: ${(err as Error).message}\n`);
    process.exit(2);
  }
}
