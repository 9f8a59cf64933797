/**
 * tools/make_random_sd21.py builds its random full-size model from the diffusers/transformers configs committed in
 * tools/sd21-base/. Mapped the way tools/export_checkpoint.py maps them (unet_spec / vae_spec / text_spec), they
 * must give exactly the `sd21-base` preset and SD 2.1's text encoder spec, so the random model has the released
 * weights' shapes (and the benchmark on it their cost).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SD21_TEXT_ENCODER } from '../../src/models/clip-text.js';
import { officialTimeAware, presets } from '../../src/models/presets.js';

type Json = Record<string, unknown>;
const config = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../../tools/sd21-base/${name}.json`, import.meta.url), 'utf8')) as Json;

describe('tools/sd21-base configs', () => {
  it('UNet and VAE map to the sd21-base preset', () => {
    const u = config('unet');
    const heads = u.attention_head_dim as number[];
    expect({
      inChannels: u.in_channels,
      outChannels: u.out_channels,
      blockOutChannels: u.block_out_channels,
      layersPerBlock: u.layers_per_block,
      downBlockTypes: u.down_block_types,
      upBlockTypes: u.up_block_types,
      attentionHeads: heads,
      crossAttentionDim: u.cross_attention_dim,
      useLinearProjection: u.use_linear_projection,
      normNumGroups: u.norm_num_groups,
      normEps: u.norm_eps,
      flipSinToCos: u.flip_sin_to_cos,
      freqShift: u.freq_shift,
    }).toEqual(presets['sd21-base'].unet);
    const v = config('vae');
    expect({
      inChannels: v.in_channels,
      outChannels: v.out_channels,
      blockOutChannels: v.block_out_channels,
      layersPerBlock: v.layers_per_block,
      latentChannels: v.latent_channels,
      normNumGroups: v.norm_num_groups,
      scalingFactor: v.scaling_factor,
      midBlockAddAttention: true,
    }).toEqual(presets['sd21-base'].vae);
  });

  it('the text encoder maps to SD21_TEXT_ENCODER', () => {
    const t = config('text_encoder');
    expect({
      vocabSize: t.vocab_size,
      hiddenSize: t.hidden_size,
      intermediateSize: t.intermediate_size,
      numHiddenLayers: t.num_hidden_layers,
      numAttentionHeads: t.num_attention_heads,
      maxPositionEmbeddings: t.max_position_embeddings,
      hiddenAct: t.hidden_act,
      layerNormEps: t.layer_norm_eps,
    }).toEqual(SD21_TEXT_ENCODER);
  });

  it('the fake checkpoint has the official time-aware encoder sizes', () => {
    const py = readFileSync(new URL('../../tools/make_random_sd21.py', import.meta.url), 'utf8');
    const m = /^TIME_PROJ_DIM, TIME_EMBED_DIM = (\d+), (\d+)/m.exec(py);
    expect(m).not.toBeNull();
    expect([Number(m![1]), Number(m![2])]).toEqual([officialTimeAware.timeProjDim, officialTimeAware.embedDim]);
  });
});
