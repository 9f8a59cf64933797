import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type Has, type Item, frameError, isFrameError } from '../../src/frame.js';
import { createImage } from '../../src/image.js';
import { degrade } from '../../src/operators/degrade.js';

const img = createImage(70, 66, new Float32Array(70 * 66 * 3).map((_, i) => (i % 97) / 96), 8);

describe('degrade()', () => {
  it('adds lq and the degradation record, replaces hq by the crop; errors pass through', async () => {
    const items: Item<Has<'hq'>>[] = [{ id: 'a', hq: img }, frameError({ id: 'bad' }, 'read-images', 'broken'), { id: 'b', hq: img }];
    const out = await lastValueFrom(from(items).pipe(degrade({ gt_size: 32 }, 3), toArray()));
    expect(out).toHaveLength(3);
    const [a, bad, b] = out;
    expect(isFrameError(bad)).toBe(true);
    if (isFrameError(a) || isFrameError(b)) throw new Error('unexpected error frame');
    expect([a.hq.width, a.lq.width, a.lq.height]).toEqual([32, 8, 8]);
    expect(a.degradation.id).toBe('a');
    expect(a.degradation.seed).toBe(3);
    expect(b.degradation.kernel1).not.toEqual(a.degradation.kernel1);
  });
  it('rejects a bad config or seed at once', () => {
    expect(() => degrade({ gt_size: 30 })).toThrow(/multiple of "scale"/);
    expect(() => degrade({}, -1)).toThrow(/seed/);
  });
});
