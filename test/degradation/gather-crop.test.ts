import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { parseDegradationConfig } from '../../src/degradation/config.js';
import { degradeImage, gatherCrop } from '../../src/degradation/pipeline.js';
import { cropPlanes, flipHorizontal, padBottomRightReflect101, toPlanes } from '../../src/degradation/planes.js';
import { decodeImage, decodeImageRaw, rawToImage } from '../../src/io/decode-image.js';

function rawImage(w: number, h: number, bitDepth: 8 | 16, k: number) {
  const n = w * h * 3;
  const data = bitDepth === 16 ? new Uint16Array(n) : new Uint8Array(n);
  const max = bitDepth === 16 ? 65535 : 255;
  for (let i = 0; i < n; i++) data[i] = (i * 2654435761 + k * 97) % (max + 1);
  return { width: w, height: h, bitDepth, data } as const;
}

/** The crop as the pipeline made it before the gather: full float image → planes → [flip] → pad → crop. */
function chained(w: number, h: number, img: ReturnType<typeof rawToImage>, hflip: boolean, left: number, top: number, size: number) {
  let p = toPlanes(img);
  if (hflip) p = flipHorizontal(p);
  p = padBottomRightReflect101(p, size, size);
  return p.width === size && p.height === size ? p : cropPlanes(p, left, top, size, size);
}

describe('gatherCrop (flip + reflect-101 pad + crop in one pass, from integers or floats)', () => {
  const cases: [number, number, 8 | 16, boolean, number, number][] = [
    [40, 30, 8, false, 5, 3], // larger than the crop
    [40, 30, 8, true, 15, 9],
    [13, 9, 8, false, 0, 0], // smaller: padded both ways
    [13, 9, 16, true, 3, 7],
    [21, 11, 16, false, 0, 4], // wider than the crop, shorter
    [1, 1, 8, true, 0, 0],
  ];
  for (const [w, h, depth, hflip, l, t] of cases) {
    it(`${w}x${h} ${depth}-bit, hflip ${hflip}: the same float32 values as the chain of full-size copies`, () => {
      const size = 16;
      const raw = rawImage(w, h, depth, w + h);
      const left = Math.min(l, Math.max(w, size) - size);
      const top = Math.min(t, Math.max(h, size) - size);
      const want = chained(w, h, rawToImage(raw), hflip, left, top, size);
      const fromInts = gatherCrop(raw, hflip, left, top, size);
      const fromFloats = gatherCrop(rawToImage(raw), hflip, left, top, size);
      expect(Buffer.from(fromInts.data.buffer).equals(Buffer.from(want.data.buffer))).toBe(true);
      expect(Buffer.from(fromFloats.data.buffer).equals(Buffer.from(want.data.buffer))).toBe(true);
    });
  }

  it('degradeImage gives the same bytes and record from the decoder integers as from the float image', async () => {
    const cfg = parseDegradationConfig({ gt_size: 32 });
    for (const [w, h] of [[50, 41], [20, 25]] as const) {
      const raw = rawImage(w, h, 8, 3);
      const png = await sharp(Buffer.from(raw.data), { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
      for (const id of ['a', 'b', 'c', 'd']) {
        const a = await degradeImage(await decodeImage(png), cfg, 5, id);
        const b = await degradeImage(await decodeImageRaw(png), cfg, 5, id);
        expect(b.record).toEqual(a.record);
        expect(b.hq.bitDepth).toBe(a.hq.bitDepth);
        expect(Buffer.from(b.hq.data.buffer).equals(Buffer.from(a.hq.data.buffer))).toBe(true);
        expect(Buffer.from(b.lq.data.buffer).equals(Buffer.from(a.lq.data.buffer))).toBe(true);
      }
    }
  });
});
