/**
 * The CLIP tokenizer against Hugging Face `CLIPTokenizer` (tools/make_clip_fixtures.py): a few hundred strings —
 * tags, punctuation, unicode, special tokens, > 77 tokens — must give the very same 77 ids.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer, TokenizerError } from '../../src/text/clip-tokenizer.js';

const DIR = fileURLToPath(new URL('../fixtures/clip/', import.meta.url));
const fixture = JSON.parse(await readFile(join(DIR, 'tokens.json'), 'utf8')) as {
  meta: { transformers: string };
  rows: { text: string; ids: number[] }[];
};

describe('ClipTokenizer', () => {
  it('matches transformers CLIPTokenizer on every fixture string', async () => {
    const tok = await ClipTokenizer.fromFolder(join(DIR, 'tokenizer'));
    expect(fixture.rows.length).toBeGreaterThan(300);
    const wrong = fixture.rows.filter((r) => JSON.stringify(tok.encode(r.text)) !== JSON.stringify(r.ids));
    expect(wrong.map((r) => ({ text: r.text, got: tok.encode(r.text), want: r.ids }))).toEqual([]);
  });

  it('the fixture vocabulary (first 6,000 merges of CLIP\'s BPE) keeps CLIP\'s own ids for common words', async () => {
    // OpenAI CLIP / SD: "a photo of a cat" → 49406, 320, 1125, 539, 320, 2368, 49407 (only bos/eos move here)
    const tok = await ClipTokenizer.fromFolder(join(DIR, 'tokenizer'));
    expect(tok.encode('a photo of a cat').slice(0, 7)).toEqual([tok.bosId, 320, 1125, 539, 320, 2368, tok.eosId]);
  });

  it('reads pad token and length from the folder; truncates keeping the end token', async () => {
    const tok = await ClipTokenizer.fromFolder(join(DIR, 'tokenizer'));
    expect(tok.maxLength).toBe(77);
    expect(tok.padId).toBe(0); // SD 2.x pads with "!"
    expect(tok.bosId).toBe(6512);
    expect(tok.eosId).toBe(6513);
    const empty = tok.encode('');
    expect(empty.slice(0, 3)).toEqual([tok.bosId, tok.eosId, 0]);
    const long = tok.encode('cat, '.repeat(100));
    expect(long).toHaveLength(77);
    expect(long[76]).toBe(tok.eosId);
    // the fixture has strings that fill all 77 positions (so truncation is exercised against Python)
    expect(fixture.rows.filter((r) => r.ids[76] === tok.eosId).length).toBeGreaterThan(20);
  });

  it('pads with <|endoftext|> when the folder names no pad token (SD 1.x), and honours maxLength', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tadsr-tok-'));
    try {
      const vocab = await readFile(join(DIR, 'tokenizer', 'vocab.json'), 'utf8');
      const merges = await readFile(join(DIR, 'tokenizer', 'merges.txt'), 'utf8');
      writeFileSync(join(dir, 'vocab.json'), vocab);
      writeFileSync(join(dir, 'merges.txt'), merges);
      const tok = await ClipTokenizer.fromFolder(dir, { maxLength: 8 });
      expect(tok.padId).toBe(tok.eosId);
      const ids = tok.encode('cat');
      expect(ids).toHaveLength(8);
      expect(ids.slice(-3)).toEqual([tok.eosId, tok.eosId, tok.eosId]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says which files are missing', async () => {
    await expect(ClipTokenizer.fromFolder(join(DIR, 'no-such-folder'))).rejects.toThrow(TokenizerError);
    await expect(ClipTokenizer.fromFolder(join(DIR, 'no-such-folder'))).rejects.toThrow(/vocab\.json and merges\.txt/);
  });
});
