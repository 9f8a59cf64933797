/**
 * TF.js backend vs diffusers (PyTorch) on the committed parity fixtures, and vs the ONNX backend on the `tiny`
 * preset: 1e-4 relative (max|a−b| / max|b|). The default runtime (wasm + ORT kernels here) runs everything; the
 * pure TF.js-ops path (`heavy: 'tfjs'`, the tfjs-node path) is checked on one UNet fixture too.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor } from '../../../src/backends/backend.js';
import { createOnnxBackend } from '../../../src/backends/onnx/onnx-backend.js';
import { createTfjsBackend, type TfjsBackend } from '../../../src/backends/tfjs/tfjs-backend.js';
import { initParams } from '../../../src/models/params.js';
import { presets } from '../../../src/models/presets.js';
import {
  PARITY_TOLERANCE,
  loadTaeFixture,
  loadUnetFixture,
  loadVaeFixture,
  relativeError,
} from '../../fixtures/parity/load-fixture.js';

const open: TfjsBackend[] = [];
afterAll(async () => {
  for (const b of open) await b.dispose();
});

async function track(b: Promise<TfjsBackend>): Promise<TfjsBackend> {
  const backend = await b;
  open.push(backend);
  return backend;
}

describe('TF.js backend matches diffusers', () => {
  for (const name of ['unet_linear', 'unet_conv'] as const) {
    it(`UNet ε (${name})`, async () => {
      const f = await loadUnetFixture(name);
      const b = await track(createTfjsBackend({ unet: f.spec, vae: presets.tiny.vae }, { unet: f.weights, vae: new Map() }));
      const before = tf.memory().numTensors;
      const out = await b.run('unet', { sample: f.io.sample!, timestep: f.io.timestep!, encoderHiddenStates: f.io.encoder_hidden_states! });
      expect(tf.memory().numTensors).toBe(before);
      expect(out.eps!.shape).toEqual(f.io.out!.shape);
      expect(relativeError(out.eps!.data, f.io.out!.data)).toBeLessThan(PARITY_TOLERANCE);
    });
  }

  it('UNet ε (unet_linear) with TF.js ops only on the pure-JS cpu runtime', async () => {
    const f = await loadUnetFixture('unet_linear');
    const b = await track(
      createTfjsBackend({ unet: f.spec, vae: presets.tiny.vae }, { unet: f.weights, vae: new Map() }, { runtime: 'cpu', heavy: 'tfjs' }),
    );
    expect(b.info.runtime).toMatch(/cpu/);
    expect(b.info.runtime).not.toMatch(/ORT/);
    const out = await b.run('unet', { sample: f.io.sample!, timestep: f.io.timestep!, encoderHiddenStates: f.io.encoder_hidden_states! });
    expect(relativeError(out.eps!.data, f.io.out!.data)).toBeLessThan(PARITY_TOLERANCE);
  });

  it('VAE encode moments and decode', async () => {
    const f = await loadVaeFixture();
    const b = await track(createTfjsBackend({ unet: presets.tiny.unet, vae: f.spec }, { unet: new Map(), vae: f.weights }));
    const { moments } = await b.run('vaeEncoder', { sample: f.io.x! });
    expect(moments!.shape).toEqual(f.io.moments!.shape);
    expect(relativeError(moments!.data, f.io.moments!.data)).toBeLessThan(PARITY_TOLERANCE);
    const { image } = await b.run('vaeDecoder', { latent: f.io.z! });
    expect(image!.shape).toEqual(f.io.decoded!.shape);
    expect(relativeError(image!.data, f.io.decoded!.data)).toBeLessThan(PARITY_TOLERANCE);
  });

  it('time-aware encoder at t = 1 and t = 999', async () => {
    const f = await loadTaeFixture();
    const b = await track(createTfjsBackend({ unet: presets.tiny.unet, vae: f.spec.vae, tae: f.spec.tae }, { unet: new Map(), vae: f.weights }));
    const { moments } = await b.run('timeAwareEncoder', { sample: f.io.x!, timestep: f.io.timestep! });
    expect(relativeError(moments!.data, f.io.moments!.data)).toBeLessThan(PARITY_TOLERANCE);
  });
});

describe('TF.js backend matches the ONNX backend on the tiny preset', () => {
  it('unet, vaeEncoder, timeAwareEncoder, vaeDecoder', async () => {
    const spec = presets.tiny;
    const weights = initParams(spec, 7);
    // The TAE's time projections start at zero; perturb them so the time path is exercised.
    for (const [n, t] of weights.vae) if (n.includes('time_emb_proj')) t.data.forEach((_, i, a) => (a[i] = Math.sin(i) * 0.05));
    const tfjsB = await track(createTfjsBackend(spec, weights));
    const onnxB = await createOnnxBackend(spec, weights, { providers: ['cpu'] });
    try {
      const rnd = (shape: number[], seed: number): HostTensor => {
        const n = shape.reduce((a, b) => a * b, 1);
        return { shape, data: Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.37)) };
      };
      const u = spec.unet;
      const cases: [Parameters<TfjsBackend['run']>[0], Record<string, HostTensor>][] = [
        ['unet', { sample: rnd([2, u.inChannels, 16, 16], 1), timestep: { shape: [2], data: Float32Array.from([21, 901]) }, encoderHiddenStates: rnd([2, 5, u.crossAttentionDim!], 2) }],
        ['vaeEncoder', { sample: rnd([1, 3, 32, 32], 3) }],
        ['timeAwareEncoder', { sample: rnd([2, 3, 32, 32], 4), timestep: { shape: [2], data: Float32Array.from([1, 999]) } }],
        ['vaeDecoder', { latent: rnd([1, spec.vae.latentChannels, 4, 4], 5) }],
      ];
      for (const [net, inputs] of cases) {
        const a = await tfjsB.run(net, inputs);
        const b = await onnxB.run(net, inputs);
        for (const k of Object.keys(b)) {
          expect(a[k]!.shape, `${net}.${k}`).toEqual(b[k]!.shape);
          expect(relativeError(a[k]!.data, b[k]!.data), `${net}.${k}`).toBeLessThan(PARITY_TOLERANCE);
        }
      }
    } finally {
      await onnxB.dispose();
    }
  });
});
