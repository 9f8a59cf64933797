import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isFrameError } from '../../src/frame.js';
import { createImage } from '../../src/image.js';
import { writeImageFile } from '../../src/io/encode-image.js';
import { listImages } from '../../src/io/list-images.js';
import { readImages } from '../../src/operators/read-images.js';
import { writeImages } from '../../src/operators/write-images.js';

describe('readImages / writeImages', () => {
  it('reads good files, reports bad ones by name, and writes the good ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tadsr-rw-'));
    const out = mkdtempSync(join(tmpdir(), 'tadsr-rw-out-'));
    await writeImageFile(join(dir, 'a.png'), createImage(4, 3, new Float32Array(36).fill(0.5)));
    await writeImageFile(join(dir, 'c.jpg'), createImage(8, 8, new Float32Array(192).fill(0.25)));
    writeFileSync(join(dir, 'b.png'), '');
    writeFileSync(join(dir, 'd.png'), 'not an image at all');
    writeFileSync(join(dir, 'notes.txt'), 'ignored: not an image extension');

    const items = await lastValueFrom(listImages(dir).pipe(readImages('hq'), writeImages(out, 'hq'), toArray()));
    // Frames complete in any order (decoding runs concurrently); every input yields exactly one item.
    expect(items.map((f) => f.id).sort()).toEqual(['a', 'b', 'c', 'd']);
    const errors = items.filter(isFrameError).sort((x, y) => x.id.localeCompare(y.id));
    expect(errors.map((e) => [e.id, e.stage])).toEqual([['b', 'read-images'], ['d', 'read-images']]);
    expect(errors[0].message).toMatch(/empty/);
    expect(errors[0].path).toBe(join(dir, 'b.png'));
    expect(readdirSync(out).sort()).toEqual(['a.png', 'c.png']);
  });

  it('fails fast for a path that does not exist (usage error, not data)', () => {
    expect(() => listImages('/definitely/not/here')).toThrow(/no such file/);
  });
});
