import { describe, expect, it } from 'vitest';
import { tileOwnership } from '../../src/tiling/ownership.js';
import { planTiles } from '../../src/tiling/plan.js';

describe('tileOwnership', () => {
  it('partitions the image: every pixel owned by exactly one tile, inside that tile', () => {
    for (const [w, h, tile, overlap, align] of [[192, 192, 128, 32, 8], [300, 170, 64, 16, 8], [97, 61, 32, 8, 1], [40, 28, 32, 16, 4]] as const) {
      const plan = planTiles(w, h, { tile, overlap });
      const own = tileOwnership(plan, align);
      const count = new Uint8Array(w * h);
      own.forEach((o, i) => {
        const t = plan.tiles[i]!;
        expect(o.x0).toBeGreaterThanOrEqual(t.x);
        expect(o.x1).toBeLessThanOrEqual(t.x + t.width);
        expect(o.y0).toBeGreaterThanOrEqual(t.y);
        expect(o.y1).toBeLessThanOrEqual(t.y + t.height);
        for (let y = o.y0; y < o.y1; y++) for (let x = o.x0; x < o.x1; x++) count[y * w + x]++;
      });
      expect(count.every((c) => c === 1)).toBe(true);
    }
  });

  it('cuts in the middle of each overlap, on multiples of align when they fit', () => {
    const plan = planTiles(192, 192, { tile: 128, overlap: 32 });
    const own = tileOwnership(plan, 8);
    // tiles at 0 and 64 overlap on [64, 128): the cut is at 96
    expect(own.map((o) => [o.x0, o.x1])).toEqual([[0, 96], [96, 192], [0, 96], [96, 192]]);
    expect(tileOwnership(planTiles(100, 50, { tile: 64, overlap: 16 }), 8).map((o) => [o.x0, o.x1])).toEqual([[0, 48], [48, 100]]);
  });
});
