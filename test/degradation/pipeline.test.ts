import { describe, expect, it } from 'vitest';
import { createImage } from '../../src/image.js';
import { parseDegradationConfig } from '../../src/degradation/config.js';
import { jpegQualityInt, jpegRoundTrip } from '../../src/degradation/jpeg.js';
import { degradeImage } from '../../src/degradation/pipeline.js';

function testImage(w: number, h: number): ReturnType<typeof createImage> {
  const d = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      d[i] = (x / w + 0.3 * Math.sin(y / 3)) % 1;
      d[i + 1] = ((x * y) % 17) / 17;
      d[i + 2] = y / h;
    }
  }
  return createImage(w, h, d, 8);
}

describe('degradeImage', () => {
  const cfg = parseDegradationConfig({ gt_size: 64 });
  const img = testImage(90, 75);

  it('crops gt_size², degrades to gt_size/scale, 8-bit values, records every draw', async () => {
    const { hq, lq, record } = await degradeImage(img, cfg, 7, 'pic');
    expect([hq.width, hq.height, lq.width, lq.height]).toEqual([64, 64, 16, 16]);
    for (const v of lq.data) expect(Math.abs(v * 255 - Math.round(v * 255))).toBeLessThan(1e-4);
    expect(record.crop.top).toBeGreaterThanOrEqual(0);
    expect(record.crop.top).toBeLessThanOrEqual(75 - 64);
    expect(record.crop.left).toBeLessThanOrEqual(90 - 64);
    expect(record.lq).toEqual({ width: 16, height: 16 });
    expect(Object.keys(record).sort()).toEqual(
      ['crop', 'final', 'finalKernel', 'hflip', 'id', 'kernel1', 'kernel2', 'lq', 'pad', 'seed', 'source', 'stage1', 'stage2', 'usm'].sort(),
    );
    expect(record.stage1.jpeg.qualityInt).toBe(Math.round(record.stage1.jpeg.quality));
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });

  it('is a pure function of (seed, id, pixels)', async () => {
    const a = await degradeImage(img, cfg, 7, 'pic');
    const b = await degradeImage(img, cfg, 7, 'pic');
    expect(Buffer.from(a.lq.data.buffer).equals(Buffer.from(b.lq.data.buffer))).toBe(true);
    expect(a.record).toEqual(b.record);
    const c = await degradeImage(img, cfg, 8, 'pic');
    const d = await degradeImage(img, cfg, 7, 'pic2');
    expect(c.record).not.toEqual(a.record);
    expect(d.record.kernel1).not.toEqual(a.record.kernel1);
  });

  it('pads images smaller than the crop (reflect-101, bottom/right)', async () => {
    const small = testImage(40, 50);
    const { hq, record } = await degradeImage(small, cfg, 1, 's');
    expect(record.pad).toEqual({ bottom: 14, right: 24 });
    expect([hq.width, hq.height]).toEqual([64, 64]);
    // row 50 mirrors row 48 (reflect-101) — compare in the un-flipped frame
    const at = (y: number, x: number) => hq.data[(y * 64 + (record.hflip ? 63 - x : x)) * 3];
    const src = (y: number, x: number) => small.data[(y * 40 + x) * 3];
    if (!record.hflip) expect(at(50, 3)).toBe(src(48, 3));
  });

  it('runs the Real-ESRGAN flow with usm: true', async () => {
    const r = await degradeImage(img, parseDegradationConfig({ gt_size: 64, usm: true }), 7, 'pic');
    expect(r.record.usm).toBe(true);
    expect(r.lq.width).toBe(16);
  });
});

describe('jpegRoundTrip (libjpeg through sharp)', () => {
  it('rounds the float quality, keeps the size, and loses less at higher quality', async () => {
    expect(jpegQualityInt(63.5)).toBe(64);
    expect(jpegQualityInt(30.2)).toBe(30);
    const img = testImage(40, 33);
    const planes = { width: 40, height: 33, data: new Float32Array(3 * 40 * 33) };
    for (let i = 0; i < 40 * 33; i++) for (let c = 0; c < 3; c++) planes.data[c * 40 * 33 + i] = img.data[i * 3 + c];
    const err = async (q: number) => {
      const { image } = await jpegRoundTrip(planes, q);
      expect([image.width, image.height]).toEqual([40, 33]);
      let s = 0;
      for (let i = 0; i < planes.data.length; i++) s += (image.data[i] - planes.data[i]) ** 2;
      return s / planes.data.length;
    };
    const lo = await err(30);
    const hi = await err(95);
    expect(hi).toBeLessThan(lo);
    expect(hi).toBeGreaterThan(0);
  });
});
