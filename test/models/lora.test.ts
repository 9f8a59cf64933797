import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../../src/backends/onnx/graph-builder.js';
import { OnnxNetOps } from '../../src/backends/onnx/onnx-net-ops.js';
import { loraLookup, loraModules, loraParamShapes, mergeLora } from '../../src/models/lora.js';
import { initParams, initWeights, unetParamShapes, type WeightMap } from '../../src/models/params.js';
import { presets } from '../../src/models/presets.js';
import type { LoraSpec } from '../../src/models/specs.js';
import { unetForward } from '../../src/models/unet.js';
import { relativeError } from '../fixtures/parity/load-fixture.js';

const spec = presets.tiny.unet;
const lora: LoraSpec = {
  adapters: [
    { network: 'unet', rank: 4, alpha: 8, targets: ['down_blocks\\.\\d+\\..*\\.(to_q|to_k|to_v|to_out\\.0|conv1|conv2)', 'conv_out'] },
    { network: 'unet', rank: 2, alpha: 2, targets: ['up_blocks\\.\\d+\\..*\\.(proj_in|proj_out|ff\\.net\\.2)'] },
  ],
};

async function runUnet(weights: WeightMap, adapters?: { mods: ReturnType<typeof loraModules>; w: WeightMap }) {
  const g = new OnnxGraphBuilder({ name: 'lora-test' });
  const ops = new OnnxNetOps(g);
  const p = (n: string) => g.weight(n, weights.get(n) ?? adapters!.w.get(n)!);
  const sample = g.input('sample', [1, 4, 8, 8]);
  const timestep = g.input('timestep', [1]);
  const ctx = g.input('ctx', [1, 2, 32]);
  const out = unetForward(ops, spec, p, { sample, timestep, encoderHiddenStates: ctx }, adapters ? { lora: loraLookup(adapters.mods, p) } : {});
  g.output(out, 'eps', [1, 4, 8, 8]);
  const s = await ort.InferenceSession.create(g.build());
  const x = new ort.Tensor('float32', Float32Array.from({ length: 256 }, (_, i) => Math.sin(i)), [1, 4, 8, 8]);
  const r = await s.run({ sample: x, timestep: new ort.Tensor('float32', Float32Array.of(300), [1]), ctx: new ort.Tensor('float32', Float32Array.from({ length: 64 }, (_, i) => Math.cos(i)), [1, 2, 32]) });
  return r.eps!.data as Float32Array;
}

describe('LoRA', () => {
  const shapes = unetParamShapes(spec);
  const mods = loraModules(lora, 'unet', shapes);

  it('selects modules by full-match regexes and names A/B as PEFT does', () => {
    expect(mods.map((m) => m.module)).toContain('down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q');
    expect(mods.map((m) => m.module)).toContain('conv_out');
    expect(mods.map((m) => m.module)).not.toContain('conv_in');
    const ls = loraParamShapes(mods);
    expect(ls.get('conv_out.lora_A.weight')).toEqual([4, 32, 3, 3]);
    expect(ls.get('conv_out.lora_B.weight')).toEqual([4, 4, 1, 1]);
    expect(ls.get('up_blocks.1.attentions.0.proj_in.lora_B.weight')).toEqual([32, 2]);
    expect(() => loraModules({ adapters: [{ network: 'unet', rank: 1, alpha: 1, targets: ['nothing_here'] }] }, 'unet', shapes)).toThrow(/matches no/);
  });

  it('forward-time adapters equal merged weights, and change the output', async () => {
    const base = initParams(presets.tiny, 1).unet;
    const w = initWeights(loraParamShapes(mods), 5); // B non-zero, so the adapters matter
    const withLora = await runUnet(base, { mods, w });
    const merged = await runUnet(mergeLora(base, w, mods));
    const plain = await runUnet(base);
    expect(relativeError(merged, withLora)).toBeLessThan(1e-5);
    expect(relativeError(plain, withLora)).toBeGreaterThan(1e-3);
  });
});
