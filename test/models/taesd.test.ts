/**
 * The TAESD-family autoencoder (src/models/taesd.ts) against an independent PyTorch reference
 * (tools/convert_taesd.py): a random small model with mid-block GroupNorm and a time-aware encoder, and the real
 * converted TAEF2 weights (models/taef2/vae.safetensors) — on both backends, 1e-4 relative.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { HostTensor } from '../../src/backends/backend.js';
import { createOnnxBackend } from '../../src/backends/onnx/onnx-backend.js';
import { createTfjsBackend } from '../../src/backends/tfjs/tfjs-backend.js';
import { vaeParamShapes } from '../../src/models/params.js';
import { presets, taef2Vae } from '../../src/models/presets.js';
import { SafetensorsFile, readSafetensors, shapesOf, compareShapes } from '../../src/models/safetensors.js';
import type { TimeAwareSpec, VaeSpec } from '../../src/models/specs.js';
import { validateModelSpec } from '../../src/models/schema.js';
import { loraModules, officialLoraSpec } from '../../src/models/lora.js';
import { PARITY_TOLERANCE, relativeError } from '../fixtures/parity/load-fixture.js';

const fixture = (p: string): string => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const TAEF2_WEIGHTS = fileURLToPath(new URL('../../models/taef2/vae.safetensors', import.meta.url));

const smallVae: VaeSpec = { ...taef2Vae, blockOutChannels: [8, 8, 8, 8], latentChannels: 4, normNumGroups: 4 };
const smallTae: TimeAwareSpec = { timeProjDim: 16, embedDim: 12, flipSinToCos: true, freqShift: 0, zeroInitTimeProj: false };

const disposers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const d of disposers) await d();
});

async function backends(vae: VaeSpec, tae: TimeAwareSpec | undefined, weights: Map<string, HostTensor>) {
  const unet = { ...presets.tiny.unet, inChannels: vae.latentChannels, outChannels: vae.latentChannels };
  const spec = { unet, vae, ...(tae ? { tae } : {}) };
  const onnx = await createOnnxBackend(spec, { unet: new Map(), vae: weights }, { providers: ['cpu'] });
  const tfjs = await createTfjsBackend(spec, { unet: new Map(), vae: weights });
  disposers.push(() => onnx.dispose(), () => tfjs.dispose());
  return { onnx, tfjs };
}

/** The first half of the moments' channels (the latent); the second half is the constant log-variance. */
function meanOf(m: HostTensor): Float32Array {
  const [B, C2, H, W] = m.shape as [number, number, number, number];
  const C = C2 / 2;
  const out = new Float32Array(B * C * H * W);
  for (let b = 0; b < B; b++) out.set(m.data.subarray(b * C2 * H * W, b * C2 * H * W + C * H * W), b * C * H * W);
  return out;
}

describe('TAESD autoencoder (taesd.ts) matches the PyTorch reference', () => {
  it('random small model: encoder, decoder, time-aware encoder at t = 1 / 999, on ONNX and TF.js', async () => {
    const weights = await readSafetensors(fixture('taesd/weights.safetensors'));
    const io = await readSafetensors(fixture('taesd/io.safetensors'));
    const expected = vaeParamShapes(smallVae, smallTae);
    expect(compareShapes(expected, shapesOf(weights))).toEqual({ missing: [], unexpected: [], wrongShape: [] });
    const { onnx, tfjs } = await backends(smallVae, smallTae, weights);
    for (const b of [onnx, tfjs]) {
      const { moments } = await b.run('vaeEncoder', { sample: io.get('image')! });
      expect(moments!.shape).toEqual([2, 8, 4, 3]);
      expect(relativeError(meanOf(moments!), io.get('latents')!.data)).toBeLessThan(PARITY_TOLERANCE);
      const { moments: tm } = await b.run('timeAwareEncoder', { sample: io.get('image')!, timestep: io.get('timestep')! });
      expect(relativeError(meanOf(tm!), io.get('tae_latents')!.data)).toBeLessThan(PARITY_TOLERANCE);
      // the time path matters in this fixture (else it would not test it)
      expect(relativeError(meanOf(tm!), io.get('latents')!.data)).toBeGreaterThan(1e-2);
      const { image } = await b.run('vaeDecoder', { latent: io.get('latents')! });
      expect(image!.shape).toEqual([2, 3, 32, 24]);
      expect(relativeError(image!.data, io.get('decoded')!.data)).toBeLessThan(PARITY_TOLERANCE);
    }
  });

  it('TAEF2 (converted real weights, F16): latents and decoded pixels on ONNX and TF.js', async () => {
    const file = await SafetensorsFile.open(TAEF2_WEIGHTS);
    try {
      expect(compareShapes(vaeParamShapes(taef2Vae), shapesOf(file))).toEqual({ missing: [], unexpected: [], wrongShape: [] });
      expect(file.metadata.source_encoder_sha256).toMatch(/^10a4e1021e89d7551eaf161352da8dbd0b1aa83872ae28b150c1df1ce2f147b6$/);
      expect(file.metadata.source_decoder_sha256).toMatch(/^0a44a31e1ae59eb9dbf9359d24942fd3ef5928162c1800d97a28c61d51be0ab5$/);
    } finally {
      await file.close();
    }
    const weights = await readSafetensors(TAEF2_WEIGHTS);
    const io = await readSafetensors(fixture('taef2/io.safetensors'));
    const { onnx, tfjs } = await backends(taef2Vae, undefined, weights);
    for (const b of [onnx, tfjs]) {
      const { moments } = await b.run('vaeEncoder', { sample: io.get('image')! });
      expect(relativeError(meanOf(moments!), io.get('latents')!.data)).toBeLessThan(PARITY_TOLERANCE);
      const { image } = await b.run('vaeDecoder', { latent: io.get('latents')! });
      expect(relativeError(image!.data, io.get('decoded')!.data)).toBeLessThan(PARITY_TOLERANCE);
    }
  });
});

describe('TAESD spec and training hooks', () => {
  it('small-taef2 validates; a taesd spec with uneven widths or midBlockGn on a KL VAE is refused', () => {
    expect(() => validateModelSpec(presets['small-taef2'])).not.toThrow();
    expect(() => validateModelSpec({ ...presets['small-taef2'], vae: { ...taef2Vae, blockOutChannels: [64, 64, 32, 64] } })).toThrow(/one width for every level/);
    expect(() => validateModelSpec({ ...presets.tiny, vae: { ...presets.tiny.vae, midBlockGn: true } })).toThrow(/only for arch "taesd"/);
  });

  it('encoder LoRA wraps every TAEF2 encoder conv (incl. the GN pool convs), no decoder or time layer', () => {
    const shapes = vaeParamShapes(taef2Vae, presets['small-taef2'].tae);
    const targets = loraModules(officialLoraSpec(4, 8), 'vae', shapes).map((m) => m.module);
    const encoderConvs = [...shapes].filter(([k, s]) => k.startsWith('encoder.') && !k.includes('time') && k.endsWith('.weight') && s.length === 4);
    expect(targets.sort()).toEqual(encoderConvs.map(([k]) => k.slice(0, -'.weight'.length)).sort());
    expect(targets).toContain('encoder.13.pool.3');
    expect(targets.some((t) => t.startsWith('decoder.') || t.includes('time'))).toBe(false);
  });
});
