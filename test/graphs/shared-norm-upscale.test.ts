import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Upscaler } from '../../src/graphs/upscaler.js';
import { createImage, type RgbImage } from '../../src/image.js';

/** A 96×96 photo-like test card: smooth shading, saturated discs, hard edges and fine texture. */
function card(n = 96): RgbImage {
  const d = new Float32Array(n * n * 3);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let r = 0.35 + 0.25 * Math.sin(x / 13) * Math.cos(y / 17);
      let g = 0.45 + 0.2 * Math.cos((x + y) / 11);
      let b = 0.5 + 0.2 * Math.sin(y / 9);
      if ((x - 30) ** 2 + (y - 34) ** 2 < 14 ** 2) [r, g, b] = [0.85, 0.15, 0.12];
      if ((x - 68) ** 2 + (y - 60) ** 2 < 16 ** 2) [r, g, b] = [0.1, 0.6, 0.2];
      if (x > 44 && x < 52) [r, g, b] = [0.05, 0.05, 0.08];
      const t = 0.04 * Math.sin(x * 1.7) * Math.sin(y * 2.3);
      d.set([r + t, g + t, b + t].map((v) => Math.min(1, Math.max(0, v))), (y * n + x) * 3);
    }
  }
  return createImage(n, n, d);
}

function psnr(a: RgbImage, b: RgbImage): number {
  let se = 0;
  for (let i = 0; i < a.data.length; i++) se += (a.data[i]! - b.data[i]!) ** 2;
  return 10 * Math.log10(1 / (se / a.data.length));
}

let up: Upscaler;
beforeAll(async () => {
  up = await Upscaler.load('models/default');
});
afterAll(async () => {
  await up.dispose();
});

describe('tiles sharing statistics (models/default, ONNX backend)', () => {
  it('the tiled output equals the whole-image output to ≥ 45 dB; independent tiles do not', async () => {
    const lq = card();
    const whole = await up.upscale(lq, { tS: 500, tile: 96 });
    const shared = await up.upscale(lq, { tS: 500, tile: 64, overlap: 16, sharedNorm: true });
    const independent = await up.upscale(lq, { tS: 500, tile: 64, overlap: 16 }); // the default: independent tiles
    const pShared = psnr(shared, whole);
    const pIndependent = psnr(independent, whole);
    expect(pShared, `shared ${pShared.toFixed(2)} dB, independent ${pIndependent.toFixed(2)} dB`).toBeGreaterThanOrEqual(45);
    expect(pIndependent, `shared ${pShared.toFixed(2)} dB, independent ${pIndependent.toFixed(2)} dB`).toBeLessThan(pShared - 6);
  });
});
