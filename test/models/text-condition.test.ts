import { describe, expect, it } from 'vitest';
import { modelFacts } from '../../src/models/model-facts.js';
import { presets } from '../../src/models/presets.js';
import { CONTEXT_TOKENS, zeroTextCondition, zeroTextConditionShape } from '../../src/models/text-condition.js';
import { emptyContext } from '../../src/operators/net-calls.js';

describe('the zero text condition', () => {
  it('is [B, 1, crossAttentionDim] zeros, or null without cross-attention', () => {
    expect(CONTEXT_TOKENS).toBe(1);
    const z = zeroTextCondition(8, 2)!;
    expect(z.shape).toEqual([2, 1, 8]);
    expect(z.data).toEqual(new Float32Array(16));
    expect(zeroTextCondition(null, 2)).toBeNull();
    expect(zeroTextConditionShape(1024, 3)).toEqual([3, 1, 1024]);
  });
  it('is what the inference calls feed a text-free model', () => {
    const facts = modelFacts(presets.tiny);
    expect(emptyContext(facts, 2)).toEqual(zeroTextCondition(presets.tiny.unet.crossAttentionDim, 2));
  });
});
