/**
 * The CLIP text encoder against transformers' `CLIPTextModel` (tools/make_clip_fixtures.py: a random 3-layer
 * model, SD 2.1's `gelu`, prompts tokenized by the fixture tokenizer): ONNX backend and TF.js ops at 1e-4.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { createOnnxBackend, type OnnxBackend } from '../../src/backends/onnx/onnx-backend.js';
import { emitSubNetwork } from '../../src/backends/onnx/emit.js';
import { pickTfjsRuntime } from '../../src/backends/tfjs/runtime.js';
import { createTfjsNetOps } from '../../src/backends/tfjs/tfjs-net-ops.js';
import { SD21_TEXT_ENCODER, textEncoderForward, textEncoderParamShapes } from '../../src/models/clip-text.js';
import { countParams } from '../../src/models/params.js';
import { presets } from '../../src/models/presets.js';
import { readSafetensors } from '../../src/models/safetensors.js';
import { ModelSpecError, validateModelSpec } from '../../src/models/schema.js';
import type { TextEncoderSpec } from '../../src/models/specs.js';
import { ClipTokenizer } from '../../src/text/clip-tokenizer.js';
import { PARITY_TOLERANCE, relativeError } from '../fixtures/parity/load-fixture.js';

const DIR = new URL('../fixtures/clip/', import.meta.url).pathname;
const spec = JSON.parse(readFileSync(`${DIR}text.spec.json`, 'utf8')) as TextEncoderSpec;
const weights = await readSafetensors(`${DIR}text.safetensors`);
const io = Object.fromEntries(await readSafetensors(`${DIR}text_io.safetensors`));
const prompts = JSON.parse(readFileSync(`${DIR}text_prompts.json`, 'utf8')) as string[];
const modelSpec = { unet: { ...presets.tiny.unet, crossAttentionDim: spec.hiddenSize }, vae: presets.tiny.vae, text: spec };

const open: OnnxBackend[] = [];
afterAll(async () => {
  for (const b of open) await b.dispose();
});

describe('CLIP text encoder', () => {
  it('fixture ids are what our tokenizer makes of the prompts', async () => {
    const tok = await ClipTokenizer.fromFolder(`${DIR}tokenizer`);
    expect(Array.from(io.input_ids!.data)).toEqual(prompts.flatMap((p) => tok.encode(p)));
  });

  it('parameter names and shapes are transformers\' (every fixture tensor read, nothing missing)', () => {
    const shapes = textEncoderParamShapes(spec);
    expect([...shapes.keys()].sort()).toEqual([...weights.keys()].sort());
    for (const [k, s] of shapes) expect(weights.get(k)!.shape, k).toEqual(s);
    const used = new Set<string>();
    emitSubNetwork(modelSpec, 'textEncoder', { text: weights }, { usedParams: used });
    expect(used.size).toBe(shapes.size);
    // SD 2.1's text encoder: 340,387,840 parameters (transformers CLIPTextModel, OpenCLIP ViT-H text tower, 23 layers)
    expect(countParams(textEncoderParamShapes(SD21_TEXT_ENCODER))).toBe(340387840);
  });

  it('ONNX backend matches last_hidden_state at 1e-4', async () => {
    const b = await createOnnxBackend(modelSpec, { unet: new Map(), vae: new Map(), text: weights }, { providers: ['cpu'] });
    open.push(b);
    const { lastHiddenState } = await b.run('textEncoder', { inputIds: io.input_ids! });
    expect(lastHiddenState!.shape).toEqual(io.last_hidden_state!.shape);
    expect(relativeError(lastHiddenState!.data, io.last_hidden_state!.data)).toBeLessThan(PARITY_TOLERANCE);
    // causal: a token's state does not depend on later tokens — changing the last id changes only the last row
    const ids = Float32Array.from(io.input_ids!.data.subarray(0, 77));
    ids[76] = 5;
    const { lastHiddenState: changed } = await b.run('textEncoder', { inputIds: { shape: [1, 77], data: ids } });
    const D = spec.hiddenSize;
    const ref = io.last_hidden_state!.data;
    expect(relativeError(changed!.data.subarray(0, 76 * D), ref.subarray(0, 76 * D))).toBeLessThan(PARITY_TOLERANCE);
    expect(relativeError(changed!.data.subarray(76 * D, 77 * D), ref.subarray(76 * D, 77 * D))).toBeGreaterThan(1e-2);
  });

  it('TF.js ops match last_hidden_state at 1e-4', async () => {
    await pickTfjsRuntime({ runtime: 'cpu' });
    const ops = createTfjsNetOps({ heavy: 'tfjs' });
    const out = tf.tidy(() => {
      const w = new Map([...weights].map(([k, t]) => [k, tf.tensor(t.data, [...t.shape])]));
      const y = textEncoderForward(ops, spec, (n) => w.get(n)!, tf.tensor(io.input_ids!.data, [...io.input_ids!.shape]));
      return y;
    });
    const data = out.dataSync() as Float32Array;
    expect(out.shape).toEqual(io.last_hidden_state!.shape);
    out.dispose();
    expect(relativeError(data, io.last_hidden_state!.data)).toBeLessThan(PARITY_TOLERANCE);
  });

  it('TF.js backend runs the textEncoder sub-network (ORT kernels) at 1e-4', async () => {
    const { createTfjsBackend } = await import('../../src/backends/tfjs/tfjs-backend.js');
    const b = await createTfjsBackend(modelSpec, { unet: new Map(), vae: new Map(), text: weights }, { runtime: 'cpu' });
    try {
      const { lastHiddenState } = await b.run('textEncoder', { inputIds: io.input_ids! });
      expect(relativeError(lastHiddenState!.data, io.last_hidden_state!.data)).toBeLessThan(PARITY_TOLERANCE);
    } finally {
      await b.dispose();
    }
  });

  it('the spec schema accepts the text encoder and checks it against the UNet', () => {
    expect(validateModelSpec(modelSpec).text).toEqual(spec);
    expect(() => validateModelSpec({ ...modelSpec, unet: { ...presets.tiny.unet, crossAttentionDim: null } })).toThrow(/crossAttentionDim/);
    expect(() => validateModelSpec({ ...modelSpec, text: { ...spec, hiddenAct: 'relu' } })).toThrow(ModelSpecError);
    expect(() => validateModelSpec({ ...modelSpec, text: { ...spec, numAttentionHeads: 5 } })).toThrow(/divisible/);
  });
});
