import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeImage } from '../../src/io/decode-image.js';
import { encodeImage } from '../../src/io/encode-image.js';
import { DataError } from '../../src/frame.js';
import { createImage } from '../../src/image.js';

function gradient(w: number, h: number) {
  const d = new Float32Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 3;
    d[i] = x / (w - 1); d[i + 1] = y / (h - 1); d[i + 2] = ((x + y) % 7) / 6;
  }
  return createImage(w, h, d);
}

describe('decodeImage', () => {
  it('round-trips an 8-bit PNG exactly at 1/255 precision', async () => {
    const img = gradient(17, 9);
    const back = await decodeImage(await encodeImage(img));
    expect(back.width).toBe(17);
    expect(back.height).toBe(9);
    expect(back.bitDepth).toBe(8);
    for (let i = 0; i < img.data.length; i++) expect(Math.abs(back.data[i] - img.data[i])).toBeLessThanOrEqual(0.5 / 255 + 1e-7);
  });

  it('keeps 16-bit precision', async () => {
    const img = gradient(300, 2);
    const back = await decodeImage(await encodeImage(img, { bitDepth: 16 }));
    expect(back.bitDepth).toBe(16);
    let maxErr = 0;
    for (let i = 0; i < img.data.length; i++) maxErr = Math.max(maxErr, Math.abs(back.data[i] - img.data[i]));
    expect(maxErr).toBeLessThan(1 / 65535);
  });

  it('expands gray to RGB and drops alpha', async () => {
    const gray = await sharp(Buffer.from([0, 128, 255, 64]), { raw: { width: 2, height: 2, channels: 1 } }).png().toBuffer();
    const g = await decodeImage(gray);
    expect(Array.from(g.data.subarray(3, 6)).map((v) => Math.round(v * 255))).toEqual([128, 128, 128]);
    const rgba = await sharp(Buffer.from([10, 20, 30, 0, 40, 50, 60, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    const c = await decodeImage(rgba);
    expect(Array.from(c.data).map((v) => Math.round(v * 255))).toEqual([10, 20, 30, 40, 50, 60]);
  });

  it('reads JPEG and WebP', async () => {
    const img = gradient(32, 16);
    for (const format of ['jpeg', 'webp'] as const) {
      const back = await decodeImage(await encodeImage(img, { format, quality: 90 }));
      expect([back.width, back.height]).toEqual([32, 16]);
    }
  });

  it('turns bad data into DataErrors that name the problem', async () => {
    const png = await encodeImage(gradient(64, 64));
    await expect(decodeImage(new Uint8Array(0))).rejects.toThrow(/empty/);
    await expect(decodeImage(Buffer.from('hello, not an image'))).rejects.toBeInstanceOf(DataError);
    await expect(decodeImage(png.subarray(0, png.length >> 1))).rejects.toBeInstanceOf(DataError);
    await expect(decodeImage(png, { maxPixels: 1000 })).rejects.toThrow(/too large/);
  });
});
