import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emitSubNetwork } from '../../src/backends/onnx/emit.js';
import { countParams, initParams, paramShapes, unetParamShapes, vaeParamShapes } from '../../src/models/params.js';
import { presets } from '../../src/models/presets.js';
import { PARITY_DIR } from '../fixtures/parity/load-fixture.js';

const sd21 = presets['sd21-base'];
const dump = JSON.parse(gunzipSync(readFileSync(`${PARITY_DIR}sd21_base_names.json.gz`)).toString()) as {
  unet_params: number;
  vae_params: number;
  unet: [string, number[]][];
  vae: [string, number[]][];
};

describe('sd21-base parameters equal diffusers’', () => {
  it('UNet: same names, shapes and count (865,910,724)', () => {
    const ours = unetParamShapes(sd21.unet);
    expect(new Map(dump.unet)).toEqual(ours);
    expect(countParams(ours)).toBe(dump.unet_params);
    expect(countParams(ours)).toBe(865_910_724);
  });
  it('VAE: same names, shapes and count (83,653,863)', () => {
    const ours = vaeParamShapes(sd21.vae);
    expect(new Map(dump.vae)).toEqual(ours);
    expect(countParams(ours)).toBe(83_653_863);
  });
  it('the TAE adds only time layers under official TADSR names', () => {
    const extra = [...vaeParamShapes(sd21.vae, sd21.tae).keys()].filter((k) => !vaeParamShapes(sd21.vae).has(k));
    expect(extra).toContain('encoder.time_embedding.linear_1.weight');
    expect(extra).toContain('encoder.mid_block.resnets.1.time_emb_proj.weight');
    expect(extra.every((k) => k.startsWith('encoder.time_embedding.') || k.includes('.time_emb_proj.'))).toBe(true);
    expect(vaeParamShapes(sd21.vae, sd21.tae).get('encoder.down_blocks.3.resnets.1.time_emb_proj.weight')).toEqual([1024, 256]);
  });
});

describe('paramShapes matches what the networks read', () => {
  for (const name of ['tiny', 'small'] as const) {
    it(`${name}: every parameter is used by some graph, and nothing else is read`, () => {
      const spec = presets[name];
      const w = initParams(spec, 0);
      const usedUnet = new Set<string>();
      const usedVae = new Set<string>();
      emitSubNetwork(spec, 'unet', w, { usedParams: usedUnet });
      for (const net of ['timeAwareEncoder', 'vaeDecoder'] as const) emitSubNetwork(spec, net, w, { usedParams: usedVae });
      expect([...usedUnet].sort()).toEqual([...unetParamShapes(spec.unet).keys()].sort());
      expect([...usedVae].sort()).toEqual([...vaeParamShapes(spec.vae, spec.tae).keys()].sort());
    });
  }
});

describe('initParams', () => {
  it('is deterministic in the seed, PyTorch-like, and zero at the TAE time projections', () => {
    const a = initParams(presets.tiny, 7);
    const b = initParams(presets.tiny, 7);
    const c = initParams(presets.tiny, 8);
    expect(a.unet.get('conv_in.weight')!.data).toEqual(b.unet.get('conv_in.weight')!.data);
    expect(a.unet.get('conv_in.weight')!.data).not.toEqual(c.unet.get('conv_in.weight')!.data);
    const w = a.unet.get('conv_in.weight')!; // fan_in 4·3·3 = 36 → |w| ≤ 1/6
    expect(Math.max(...w.data.map(Math.abs))).toBeLessThanOrEqual(1 / 6);
    expect(Math.max(...w.data.map(Math.abs))).toBeGreaterThan(0.15);
    expect(a.unet.get('conv_norm_out.weight')!.data.every((v) => v === 1)).toBe(true);
    expect(a.vae.get('encoder.down_blocks.0.resnets.0.time_emb_proj.weight')!.data.every((v) => v === 0)).toBe(true);
    expect(a.vae.get('encoder.time_embedding.linear_1.weight')!.data.some((v) => v !== 0)).toBe(true);
    expect(countParams(paramShapes(presets.tiny))).toBe(countParams(unetParamShapes(presets.tiny.unet)) + countParams(vaeParamShapes(presets.tiny.vae, presets.tiny.tae)));
  });
});
