/**
 * A deterministic, pure-JS stand-in for a model backend, for testing operators and graphs without weights:
 * encoders average-pool ×8 to 4 channels (moments: mean ‖ logvar 0) with a t_s-dependent offset, the UNet
 * predicts ε = 0.1·z + t/10000, the decoder upsamples ×8 nearest. Local (per 8×8 block) by construction.
 */
import type { Backend, HostTensor, SubNetwork } from '../../src/backends/backend.js';
import type { ModelFacts } from '../../src/operators/net-calls.js';

export const FAKE_FACTS: ModelFacts = { scalingFactor: 0.5, pixelMultiple: 8, hasTae: true, crossAttentionDim: 8, latentChannels: 4, vaeDownsample: 8 };

export class FakeBackend implements Backend {
  readonly info = { name: 'fake', runtime: 'pure js test double' };
  readonly calls: { net: SubNetwork; inputs: string[]; shape: readonly number[] }[] = [];

  async run(net: SubNetwork, inputs: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>> {
    const x = inputs['sample'] ?? inputs['latent'];
    if (!x) throw new Error(`fake ${net}: no sample/latent input`);
    this.calls.push({ net, inputs: Object.keys(inputs).sort(), shape: x.shape });
    const [b, c, h, w] = x.shape as [number, number, number, number];
    if (net === 'vaeEncoder' || net === 'timeAwareEncoder') {
      const t = net === 'timeAwareEncoder' ? inputs['timestep']!.data[0]! / 1000 : 0;
      const H = h / 8;
      const W = w / 8;
      const out = new Float32Array(b * 8 * H * W);
      for (let i = 0; i < b; i++) {
        for (let k = 0; k < 4; k++) {
          for (let y = 0; y < H; y++) {
            for (let xx = 0; xx < W; xx++) {
              let s = 0;
              for (let dy = 0; dy < 8; dy++) for (let dx = 0; dx < 8; dx++) s += x.data[((i * c + (k % 3)) * h + y * 8 + dy) * w + xx * 8 + dx]!;
              out[((i * 8 + k) * H + y) * W + xx] = s / 64 + t;
            }
          }
        }
      }
      return { moments: { shape: [b, 8, H, W], data: out } };
    }
    if (net === 'unet' || net === 'teacherUnet') {
      const t = inputs['timestep']!.data[0]!;
      const k = net === 'unet' ? 0.1 : 0.2;
      return { noisePred: { shape: x.shape, data: x.data.map((v) => k * v + t / 10000) } };
    }
    // decoder: nearest ×8, channels 0..2 from latent channels 0..2
    const out = new Float32Array(b * 3 * h * 8 * w * 8);
    const W = w * 8;
    const H = h * 8;
    for (let i = 0; i < b; i++) for (let k = 0; k < 3; k++) for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) {
      out[((i * 3 + k) * H + y) * W + xx] = x.data[((i * c + k) * h + (y >> 3)) * w + (xx >> 3)]!;
    }
    return { sample: { shape: [b, 3, H, W], data: out } };
  }

  async dispose(): Promise<void> {}
}
