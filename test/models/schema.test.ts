import { describe, expect, it } from 'vitest';
import { presets } from '../../src/models/presets.js';
import { ModelSpecError, validateModelSpec } from '../../src/models/schema.js';

describe('validateModelSpec', () => {
  it('accepts every preset', () => {
    for (const spec of Object.values(presets)) expect(validateModelSpec(structuredClone(spec))).toEqual(spec);
  });

  it('lists every bad path', () => {
    const bad = structuredClone(presets.tiny) as unknown as Record<string, Record<string, unknown>>;
    bad.unet!.blockOutChannels = [32, 'x'];
    bad.vae!.colour = 1;
    delete bad.vae!.scalingFactor;
    try {
      validateModelSpec(bad);
      expect.unreachable();
    } catch (e) {
      const problems = (e as ModelSpecError).problems.join('\n');
      expect(problems).toMatch(/\/unet\/blockOutChannels\/1: must be integer/);
      expect(problems).toMatch(/\/vae: unknown property "colour"/);
      expect(problems).toMatch(/scalingFactor/);
    }
  });

  it('checks fields that must agree', () => {
    const bad = structuredClone(presets.tiny) as unknown as { unet: { attentionHeads: number[]; blockOutChannels: number[] } };
    bad.unet.attentionHeads = [3, 4];
    expect(() => validateModelSpec(bad)).toThrow(/attentionHeads\/0: 32 channels are not divisible by 3 heads/);
    bad.unet.attentionHeads = [2];
    expect(() => validateModelSpec(bad)).toThrow(/needs 2 entries/);
  });
});
