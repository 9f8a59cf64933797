/**
 * tools/export_checkpoint.py, checked through its committed output (test/fixtures/export, made by
 * tools/make_export_fixture.py): the exported directory loads, and tadsr's ONNX backend on the *merged* weights
 * reproduces diffusers' outputs with the LoRA applied *unmerged* (UNet ε, VAE-encoder and time-aware-encoder moments).
 */
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../src/backends/backend.js';
import { backendFactory } from '../../src/backends/registry.js';
import { readModelDir } from '../../src/graphs/model-dir.js';
import { readSafetensors } from '../../src/models/safetensors.js';

const DIR = new URL('../fixtures/export/', import.meta.url).pathname;

function maxRelErr(a: HostTensor, b: HostTensor): number {
  expect([...a.shape]).toEqual([...b.shape]);
  let scale = 0;
  for (const v of b.data) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < a.data.length; i++) err = Math.max(err, Math.abs(a.data[i]! - b.data[i]!));
  return err / scale;
}

describe('export_checkpoint.py output (tiny TADSR checkpoint)', () => {
  it('loads as a tadsr model with the official formula and a time-aware encoder', async () => {
    const m = await readModelDir(`${DIR}tadsr-tiny`);
    expect(m.manifest.formula).toBe('official');
    expect(m.manifest.spec.tae).toMatchObject({ timeProjDim: 32, embedDim: 24 });
  });
  it('merged weights on the ONNX backend = diffusers with unmerged LoRA', async () => {
    const m = await readModelDir(`${DIR}tadsr-tiny`);
    const io = await readSafetensors(`${DIR}reference_io.safetensors`);
    const backend = await (await backendFactory('onnx')).create(m.manifest.spec, m.weights);
    try {
      const eps = Object.values(await backend.run('unet', { sample: io.get('sample')!, timestep: io.get('timestep')!, encoderHiddenStates: io.get('ctx')! }))[0]!;
      expect(maxRelErr(eps, io.get('eps')!)).toBeLessThan(1e-4);
      const mo = Object.values(await backend.run('vaeEncoder', { sample: io.get('x')! }))[0]!;
      expect(maxRelErr(mo, io.get('moments')!)).toBeLessThan(1e-4);
      const tm = Object.values(await backend.run('timeAwareEncoder', { sample: io.get('x')!, timestep: io.get('t')! }))[0]!;
      expect(maxRelErr(tm, io.get('tae_moments')!)).toBeLessThan(1e-4);
    } finally {
      await backend.dispose();
    }
  });
});
