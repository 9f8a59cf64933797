/**
 * ONNX backend vs diffusers (PyTorch) on the committed parity fixtures: 1e-4 relative (max|a−b| / max|b|).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createOnnxBackend, type OnnxBackend } from '../../../src/backends/onnx/onnx-backend.js';
import { presets } from '../../../src/models/presets.js';
import { SafetensorsFile } from '../../../src/models/safetensors.js';
import {
  PARITY_DIR,
  PARITY_TOLERANCE,
  loadTaeFixture,
  loadUnetFixture,
  loadVaeFixture,
  relativeError,
} from '../../fixtures/parity/load-fixture.js';

const open: OnnxBackend[] = [];
afterAll(async () => {
  for (const b of open) await b.dispose();
});

describe('ONNX backend matches diffusers', () => {
  for (const name of ['unet_linear', 'unet_conv'] as const) {
    it(`UNet ε (${name})`, async () => {
      const f = await loadUnetFixture(name);
      const b = await createOnnxBackend({ unet: f.spec, vae: presets.tiny.vae }, { unet: f.weights, vae: new Map() }, { providers: ['cpu'] });
      open.push(b);
      const out = await b.run('unet', {
        sample: f.io.sample!,
        timestep: f.io.timestep!,
        encoderHiddenStates: f.io.encoder_hidden_states!,
      });
      expect(out.eps!.shape).toEqual(f.io.out!.shape);
      expect(relativeError(out.eps!.data, f.io.out!.data)).toBeLessThan(PARITY_TOLERANCE);
      expect(b.info.runtime).toMatch(/cpu/);
    });
  }

  it('VAE encode moments and decode', async () => {
    const f = await loadVaeFixture();
    const b = await createOnnxBackend({ unet: presets.tiny.unet, vae: f.spec }, { unet: new Map(), vae: f.weights }, { providers: ['cpu'] });
    open.push(b);
    const { moments } = await b.run('vaeEncoder', { sample: f.io.x! });
    expect(moments!.shape).toEqual(f.io.moments!.shape);
    expect(relativeError(moments!.data, f.io.moments!.data)).toBeLessThan(PARITY_TOLERANCE);
    const { image } = await b.run('vaeDecoder', { latent: f.io.z! });
    expect(image!.shape).toEqual(f.io.decoded!.shape);
    expect(relativeError(image!.data, f.io.decoded!.data)).toBeLessThan(PARITY_TOLERANCE);
  });

  it('time-aware encoder at t = 1 and t = 999', async () => {
    const f = await loadTaeFixture();
    const b = await createOnnxBackend({ unet: presets.tiny.unet, vae: f.spec.vae, tae: f.spec.tae }, { unet: new Map(), vae: f.weights }, { providers: ['cpu'] });
    open.push(b);
    const { moments } = await b.run('timeAwareEncoder', { sample: f.io.x!, timestep: f.io.timestep! });
    expect(relativeError(moments!.data, f.io.moments!.data)).toBeLessThan(PARITY_TOLERANCE);
    // the two samples see different t: the time path matters (else this fixture would not test it)
    const half = moments!.data.length / 2;
    const { moments: swapped } = await b.run('timeAwareEncoder', { sample: f.io.x!, timestep: { shape: [2], data: Float32Array.from([999, 1]) } });
    expect(relativeError(swapped!.data.subarray(0, half), f.io.moments!.data.subarray(0, half))).toBeGreaterThan(1e-3);
  });

  it('streams weights on demand from the safetensors file (no weight map held)', async () => {
    const f = await loadVaeFixture();
    const file = await SafetensorsFile.open(`${PARITY_DIR}vae.safetensors`);
    try {
      const b = await createOnnxBackend({ unet: presets.tiny.unet, vae: f.spec }, { unet: new Map(), vae: file.onDemand() }, { providers: ['cpu'] });
      open.push(b);
      const { image } = await b.run('vaeDecoder', { latent: f.io.z! });
      expect(relativeError(image!.data, f.io.decoded!.data)).toBeLessThan(PARITY_TOLERANCE);
    } finally {
      await file.close();
    }
  });
});
