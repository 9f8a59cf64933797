import { describe, expect, it } from 'vitest';
import { channelStats, ownedChannelSums, statsOfSums } from '../../src/color/adain.js';
import { createImage, cropImage } from '../../src/image.js';
import { planTiles } from '../../src/tiling/plan.js';
import { ownedFraction, tileOwnership } from '../../src/tiling/ownership.js';

describe('AdaIN statistics shared by tiles', () => {
  it("the owned parts of overlapping tiles sum to the whole image's channel statistics; whole tiles do not", () => {
    const W = 70;
    const H = 45;
    const d = new Float32Array(W * H * 3);
    for (let i = 0; i < d.length; i++) d[i] = 0.5 + 0.4 * Math.sin(i / 7.3) * Math.cos(i / 131);
    const img = createImage(W, H, d);
    const plan = planTiles(W, H, { tile: 32, overlap: 12 });
    expect(plan.tiles.length).toBeGreaterThan(3);
    const own = tileOwnership(plan);
    const crops = plan.tiles.map((r) => cropImage(img, r.x, r.y, r.width, r.height));
    const shared = statsOfSums(crops.map((c, i) => ownedChannelSums(c, ownedFraction(own[i]!, plan.tiles[i]!, 1, c.width, c.height))));
    const whole = channelStats(img);
    for (let c = 0; c < 3; c++) {
      expect(shared.mean[c]).toBeCloseTo(whole.mean[c]!, 10);
      expect(shared.std[c]).toBeCloseTo(whole.std[c]!, 8);
    }
    const counted = statsOfSums(crops.map((c) => ownedChannelSums(c, { x0: 0, x1: 1, y0: 0, y1: 1 })));
    expect(Math.max(...[0, 1, 2].map((c) => Math.abs(counted.mean[c]! - whole.mean[c]!)))).toBeGreaterThan(1e-4);
  });
});
