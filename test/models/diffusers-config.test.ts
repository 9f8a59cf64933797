import { describe, expect, it } from 'vitest';
import { unetSpecFromDiffusersConfig, vaeSpecFromDiffusersConfig } from '../../src/models/diffusers-config.js';
import { presets } from '../../src/models/presets.js';

// stabilityai/stable-diffusion-2-1-base unet/config.json and vae/config.json (the fields that shape the nets)
const sd21UnetConfig = {
  _class_name: 'UNet2DConditionModel', act_fn: 'silu', attention_head_dim: [5, 10, 20, 20], block_out_channels: [320, 640, 1280, 1280],
  center_input_sample: false, cross_attention_dim: 1024, down_block_types: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'],
  downsample_padding: 1, dual_cross_attention: false, flip_sin_to_cos: true, freq_shift: 0, in_channels: 4, layers_per_block: 2,
  mid_block_scale_factor: 1, norm_eps: 1e-5, norm_num_groups: 32, num_class_embeds: null, only_cross_attention: false, out_channels: 4,
  sample_size: 64, up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'], use_linear_projection: true,
};
const sd21VaeConfig = {
  _class_name: 'AutoencoderKL', act_fn: 'silu', block_out_channels: [128, 256, 512, 512], down_block_types: Array(4).fill('DownEncoderBlock2D'),
  in_channels: 3, latent_channels: 4, layers_per_block: 2, norm_num_groups: 32, out_channels: 3, sample_size: 768, up_block_types: Array(4).fill('UpDecoderBlock2D'),
};

describe('diffusers configs → specs', () => {
  it('SD 2.1-base configs give the sd21-base preset', () => {
    expect(unetSpecFromDiffusersConfig(sd21UnetConfig)).toEqual(presets['sd21-base'].unet);
    expect(vaeSpecFromDiffusersConfig(sd21VaeConfig)).toEqual(presets['sd21-base'].vae);
  });
  it('refuses what the networks do not implement, naming the field', () => {
    expect(() => unetSpecFromDiffusersConfig({ ...sd21UnetConfig, addition_embed_type: 'text_time' })).toThrow(/addition_embed_type/);
    expect(() => unetSpecFromDiffusersConfig({ ...sd21UnetConfig, down_block_types: ['SimpleCrossAttnDownBlock2D'] })).toThrow(/SimpleCrossAttnDownBlock2D/);
  });
});
