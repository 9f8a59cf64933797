/**
 * A model folder with a t_s adapter: written and read back whole, refused with a message naming the problem when
 * its manifest or file is wrong, dropped when a model without one is written over it, carried by the F16 export,
 * and refused where a t_s-dependent student cannot be used (fine-tuning start, checkpoint averaging).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportDefault } from '../../bench/shipped-model-export.js';
import { readInitWeights } from '../../src/graphs/training/init-weights.js';
import { ModelDirError, readModelDir, writeModelDir } from '../../src/models/model-dir.js';
import { initParams } from '../../src/models/params.js';
import { presets } from '../../src/models/presets.js';
import { writeSafetensors } from '../../src/models/safetensors.js';
import type { TsAdapterWeights } from '../../src/models/ts-adapter.js';
import { averageModels } from '../../tools/average-models.js';

const spec = presets.tiny;
const root = mkdtempSync(join(tmpdir(), 'tadsr-mdta-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `m${n++}`);

const base = initParams(spec, 1);
const wave = (len: number, k: number) => Float32Array.from({ length: len }, (_, i) => Math.sin(i * 0.3 + k) * 0.01);
const adapter: TsAdapterWeights = {
  gate: { from: 200, to: 600 },
  unet: new Map([
    ['conv_in.delta.weight', { shape: [32, 4, 3, 3], data: wave(32 * 4 * 9, 1) }],
    ['conv_in.delta.bias', { shape: [32], data: wave(32, 2) }],
    ['conv_out.lora_A.weight', { shape: [2, 32, 3, 3], data: wave(2 * 32 * 9, 3) }],
    ['conv_out.lora_B.weight', { shape: [4, 2, 1, 1], data: wave(8, 4) }],
  ]),
  vae: new Map([['encoder.time_embedding.linear_1.delta.weight', { shape: [...base.vae.get('encoder.time_embedding.linear_1.weight')!.shape], data: wave(base.vae.get('encoder.time_embedding.linear_1.weight')!.data.length, 5) }]]),
};

describe('model folder with a t_s adapter', () => {
  it('reads back the gate and every delta; manifest and file agree', async () => {
    const dir = fresh();
    await writeModelDir(dir, spec, { ...base, tsAdapter: adapter });
    const m = await readModelDir(dir);
    expect(m.manifest.tsAdapter).toEqual({ from: 200, to: 600 });
    expect(m.manifest.files.tsAdapter).toBe('ts-adapter.safetensors');
    expect(m.weights.tsAdapter?.gate).toEqual(adapter.gate);
    for (const net of ['unet', 'vae'] as const) {
      expect([...m.weights.tsAdapter![net].keys()].sort()).toEqual([...adapter[net].keys()].sort());
      for (const [k, t] of adapter[net]) expect(m.weights.tsAdapter![net].get(k)!.data).toEqual(t.data);
    }
  });

  it('a manifest or file that does not fit: one message naming it', async () => {
    const dir = fresh();
    await writeModelDir(dir, spec, { ...base, tsAdapter: adapter });
    const manifestPath = join(dir, 'model.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown> & { files: Record<string, unknown> };
    const withManifest = async (m: unknown) => {
      writeFileSync(manifestPath, JSON.stringify(m));
      return readModelDir(dir);
    };
    await expect(withManifest({ ...manifest, tsAdapter: undefined })).rejects.toThrow(/"tsAdapter" and "files.tsAdapter" go together/);
    await expect(withManifest({ ...manifest, tsAdapter: { from: 600, to: 200 } })).rejects.toThrow(/"tsAdapter" must be \{ "from": F, "to": T \}/);
    await expect(withManifest({ ...manifest, files: { ...manifest.files, tsAdapter: '../x.safetensors' } })).rejects.toThrow(/files\.tsAdapter.*inside the model folder/);
    writeFileSync(manifestPath, JSON.stringify(manifest));
    await writeSafetensors(join(dir, 'ts-adapter.safetensors'), new Map([['unet.conv_in.delta.weight', { shape: [4, 4, 3, 3], data: new Float32Array(144) }]]));
    await expect(readModelDir(dir)).rejects.toThrow(ModelDirError);
    await expect(readModelDir(dir)).rejects.toThrow(/ts-adapter\.safetensors: .*conv_in\.delta\.weight" is \[4, 4, 3, 3\], expected \[32, 4, 3, 3\]/);
    await writeSafetensors(join(dir, 'ts-adapter.safetensors'), new Map([['unet.conv_in.delta.weight', { shape: [32, 4, 3, 3], data: new Float32Array(1152).fill(Number.NaN) }]]));
    await expect(readModelDir(dir)).rejects.toThrow(/holds NaN/);
  });

  it('a model written over it without an adapter leaves no adapter file behind', async () => {
    const dir = fresh();
    await writeModelDir(dir, spec, { ...base, tsAdapter: adapter });
    await writeModelDir(dir, spec, base);
    expect(existsSync(join(dir, 'ts-adapter.safetensors'))).toBe(false);
    expect((await readModelDir(dir)).weights.tsAdapter).toBeUndefined();
  });

  it('the F16 export carries the adapter', async () => {
    const dir = fresh();
    await writeModelDir(dir, spec, { ...base, tsAdapter: adapter });
    const out = fresh();
    await exportDefault(dir, out, {}, 'card.md');
    const m = await readModelDir(out);
    expect(m.manifest.tsAdapter).toEqual(adapter.gate);
    const got = m.weights.tsAdapter!.unet.get('conv_in.delta.weight')!.data;
    const want = adapter.unet.get('conv_in.delta.weight')!.data;
    expect(got.every((v, i) => Math.abs(v - want[i]!) <= 1e-5)).toBe(true);
  });

  it('is refused as a fine-tuning start and in a checkpoint average', async () => {
    const dir = fresh();
    await writeModelDir(dir, spec, { ...base, tsAdapter: adapter });
    await expect(readInitWeights(dir, spec, true)).rejects.toThrow(/has a t_s adapter/);
    const plain = fresh();
    await writeModelDir(plain, spec, base);
    await expect(averageModels([plain, dir], fresh())).rejects.toThrow(/has a t_s adapter/);
  });
});
