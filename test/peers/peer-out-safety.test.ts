/** Converting a peer never deletes a folder of the user's own files: only a previous peer folder is replaced. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertNcnnPeer } from '../../src/peers/peer-dir.js';

const dir = mkdtempSync(join(tmpdir(), 'tadsr-peer-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('convertNcnnPeer output folder', () => {
  it('refuses a non-empty folder that is not a peer folder and leaves its files as they were', async () => {
    const out = join(dir, 'mine');
    const param = join(dir, 'x.param');
    const bin = join(dir, 'x.bin');
    writeFileSync(param, '7767517\n0 0\n');
    writeFileSync(bin, '');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'my notes');
    await expect(convertNcnnPeer({ name: 'x', param, bin, out })).rejects.toThrow(/not a converted peer folder/);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('my notes');
  });
});
