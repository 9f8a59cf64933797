/** Small synthetic HQ image folders for training tests (smooth gradients + texture, PNG), plus a corrupt file. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export async function makeHqFolder(count: number, size = 48, opts: { corrupt?: boolean } = {}): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'tadsr-hq-'));
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    const buf = Buffer.alloc(size * size * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const o = (y * size + x) * 3;
        buf[o] = (x * 5 + i * 40) % 256;
        buf[o + 1] = (y * 5 + ((x >> 2) % 2) * 60) % 256;
        buf[o + 2] = ((x + y) * 3 + i * 17) % 256;
      }
    }
    await sharp(buf, { raw: { width: size, height: size, channels: 3 } }).png().toFile(join(dir, `img${i}.png`));
  }
  if (opts.corrupt) writeFileSync(join(dir, 'broken.png'), Buffer.from('not a png at all'));
  return dir;
}
