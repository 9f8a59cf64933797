/**
 * The model hash that ties a queued upscale job to the model it was made for covers every weight file inference
 * reads: a folder's t_s adapter too, so two folders that differ only there are not taken for the same model.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeModelDir } from '../../src/models/model-dir.js';
import { initParams } from '../../src/models/params.js';
import { presets } from '../../src/models/presets.js';
import { modelHash } from '../../src/queue/upscale-jobs.js';

const root = mkdtempSync(join(tmpdir(), 'tadsr-mh-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('modelHash', () => {
  it('a folder without adapter: sha256 of model.json, UNet and VAE files (as before); the adapter weights count', async () => {
    const spec = presets.tiny;
    const base = initParams(spec, 1);
    const plain = join(root, 'plain');
    await writeModelDir(plain, spec, base, { provenance: { createdAt: 'fixed' } });
    const h = createHash('sha256');
    for (const f of ['model.json', 'unet.safetensors', 'vae.safetensors']) h.update(`${f}\0`).update(readFileSync(join(plain, f)));
    expect(await modelHash(plain)).toBe(h.digest('hex').slice(0, 16));

    const delta = (v: number) => ({ gate: { from: 300, to: 500 }, unet: new Map([['conv_in.delta.weight', { shape: [32, 4, 3, 3], data: new Float32Array(1152).fill(v) }]]), vae: new Map() });
    const [a, b] = [join(root, 'a'), join(root, 'b')];
    await writeModelDir(a, spec, { ...base, tsAdapter: delta(0.01) }, { provenance: { createdAt: 'fixed' } });
    await writeModelDir(b, spec, { ...base, tsAdapter: delta(0.02) }, { provenance: { createdAt: 'fixed' } });
    expect(readFileSync(join(a, 'model.json'), 'utf8')).toBe(readFileSync(join(b, 'model.json'), 'utf8'));
    expect(await modelHash(a)).not.toBe(await modelHash(b));
  });
});
