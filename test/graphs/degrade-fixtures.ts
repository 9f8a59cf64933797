/** Small HQ folders with good and corrupt files for the degrade-dataset and CLI tests. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** A deterministic RGB test picture (w×h), encoded as PNG or JPEG. */
export async function makePicture(w: number, h: number, seed: number, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      raw[i] = (x * 3 + seed * 40 + Math.round(30 * Math.sin(y / 5))) & 255;
      raw[i + 1] = ((x ^ y) * (seed + 1)) & 255;
      raw[i + 2] = (y * 2 + seed * 17) & 255;
    }
  }
  const s = sharp(raw, { raw: { width: w, height: h, channels: 3 } });
  return format === 'png' ? s.png().toBuffer() : s.jpeg({ quality: 90 }).toBuffer();
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A valid PNG header claiming 100000×100000 pixels (a decompression bomb's size, almost no data). */
export function hugeHeaderPng(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100000, 0);
  ihdr.writeUInt32BE(100000, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export const CORRUPT = ['zero.png', 'truncated.png', 'text.png', 'huge.png', 'garbage.jpg'] as const;

/** A temp folder with `good` pictures (`good_00.png`, …, every third a JPEG) and the five corrupt files. */
export async function makeHqFolder(good: number, size: [number, number] = [80, 70], corrupt = true): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tadsr-degrade-in-'));
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < good; i++) {
    const jpeg = i % 3 === 2;
    const bytes = await makePicture(size[0] + (i % 4) * 7, size[1] + (i % 3) * 5, i, jpeg ? 'jpeg' : 'png');
    writeFileSync(join(dir, `good_${String(i).padStart(2, '0')}.${jpeg ? 'jpg' : 'png'}`), bytes);
  }
  if (corrupt) {
    const png = await makePicture(64, 64, 99);
    writeFileSync(join(dir, 'zero.png'), Buffer.alloc(0));
    writeFileSync(join(dir, 'truncated.png'), png.subarray(0, Math.floor(png.length / 2)));
    writeFileSync(join(dir, 'text.png'), 'this is not an image\n');
    writeFileSync(join(dir, 'huge.png'), hugeHeaderPng());
    writeFileSync(join(dir, 'garbage.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 0x5a)]));
  }
  return dir;
}

export function newOutDir(): string {
  return mkdtempSync(join(tmpdir(), 'tadsr-degrade-out-'));
}

export function readBytes(path: string): Buffer {
  return readFileSync(path);
}
