/**
 * CLIP's byte-level BPE tokenizer (SD 1.x/2.x `tokenizer/` folders), read from the model folder's own files —
 * `vocab.json`, `merges.txt` and, when present, `tokenizer_config.json` / `special_tokens_map.json` (pad token,
 * max length). No hub, no network.
 *
 * It reproduces Hugging Face's `CLIPTokenizer` of transformers 5 (and `CLIPTokenizerFast` of transformers 4, which
 * `AutoTokenizer` — the official OSEDiff/TADSR code — loads), step by step:
 * 1. special tokens split out of the raw text: `<|startoftext|>`, `<|endoftext|>` and the pad token — so with SD 2.x's
 *    pad token "!" every "!" of a prompt becomes id 0 on its own, exactly as in Python (an added token);
 * 2. normalize: NFC, every whitespace run → one space, lowercase (per code point);
 * 3. pre-tokenize with CLIP's pattern `'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+` (whitespace dropped);
 * 4. map each piece's UTF-8 bytes to GPT-2's printable symbols, mark the last with `</w>`, apply the merges in rank
 *    order (lowest first);
 * 5. `<|startoftext|>` … `<|endoftext|>`, truncated to `maxLength` (the end token kept) and padded with the pad
 *    token to `maxLength` — `tokenizer(text, max_length=77, padding="max_length", truncation=True)`.
 *
 * (transformers 4's *slow* `CLIPTokenizer`, diffusers' default there, differs only on CJK ideographs, which it
 * splits one per piece, and on control characters, which it drops.)
 *
 * @example
 * const tok = await ClipTokenizer.fromFolder('models/sd21/tokenizer');
 * tok.encode('a cat, photo,'); // [49406, 320, 2368, 267, 1125, 267, 49407, 0, 0, …] (77 ids)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** CLIP's pre-tokenizer pattern (whitespace is never matched, so it is dropped). */
const PIECE = /'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/gu;
const BOS = '<|startoftext|>';
const EOS = '<|endoftext|>';

/** GPT-2's byte → printable symbol map (printable Latin-1 bytes map to themselves, the rest to U+0100…). */
function byteSymbols(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const out = new Array<string>(256);
  for (const b of bs) out[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (out[b] === undefined) out[b] = String.fromCodePoint(256 + n++);
  return out;
}

const BYTE_SYMBOLS = byteSymbols();
const utf8 = new TextEncoder();

/** A tokenizer folder that cannot be used; the message says which file and why. */
export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

export interface ClipTokenizerOptions {
  /** Sequence length, special tokens included (SD: 77). */
  readonly maxLength?: number;
  /** Padding token (SD 2.x: "!", id 0; SD 1.x: `<|endoftext|>`). Default: `<|endoftext|>`. */
  readonly padToken?: string;
}

function tokenName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v !== null && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

async function readJsonIfPresent(path: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new TokenizerError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

export class ClipTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly maxLength: number;
  private readonly ranks: Map<string, number>;
  /** Special tokens (start, end, pad) matched in the raw text before anything else, longest first. */
  private readonly specials: ReadonlyMap<string, number>;
  private readonly specialSplit: RegExp;
  private readonly cache = new Map<string, number[]>();

  /**
   * @param vocab token → id (`vocab.json`)
   * @param merges merge rules in rank order, each `"a b"` (`merges.txt` without its `#version` header)
   */
  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    merges: readonly string[],
    opts: ClipTokenizerOptions = {},
  ) {
    this.ranks = new Map(merges.map((m, i) => [m, i]));
    const id = (t: string, what: string) => {
      const i = vocab.get(t);
      if (i === undefined) throw new TokenizerError(`the vocabulary has no ${what} token ${JSON.stringify(t)}`);
      return i;
    };
    this.bosId = id(BOS, 'start');
    this.eosId = id(EOS, 'end');
    this.padId = id(opts.padToken ?? EOS, 'padding');
    this.maxLength = opts.maxLength ?? 77;
    const pad = opts.padToken ?? EOS;
    this.specials = new Map([[BOS, this.bosId], [EOS, this.eosId], [pad, this.padId]]);
    const alternatives = [...this.specials.keys()].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.specialSplit = new RegExp(`(${alternatives.join('|')})`, 'u');
    if (!Number.isInteger(this.maxLength) || this.maxLength < 2) throw new TokenizerError(`maxLength must be an integer ≥ 2, got ${this.maxLength}`);
  }

  /** Load `vocab.json` + `merges.txt` (+ pad token and `model_max_length` from the config files) from `dir`. */
  static async fromFolder(dir: string, opts: ClipTokenizerOptions = {}): Promise<ClipTokenizer> {
    const vocabPath = join(dir, 'vocab.json');
    const mergesPath = join(dir, 'merges.txt');
    let vocabText: string;
    let mergesText: string;
    try {
      [vocabText, mergesText] = await Promise.all([readFile(vocabPath, 'utf8'), readFile(mergesPath, 'utf8')]);
    } catch (err) {
      throw new TokenizerError(`cannot read the CLIP tokenizer in ${dir} (needs vocab.json and merges.txt): ${(err as Error).message}`);
    }
    let vocabJson: Record<string, number>;
    try {
      vocabJson = JSON.parse(vocabText) as Record<string, number>;
    } catch (err) {
      throw new TokenizerError(`${vocabPath} is not valid JSON: ${(err as Error).message}`);
    }
    const lines = mergesText.split('\n');
    const merges = lines.filter((l, i) => !(i === 0 && l.startsWith('#version')) && l.trim() !== '');
    const config = await readJsonIfPresent(join(dir, 'tokenizer_config.json'));
    const special = await readJsonIfPresent(join(dir, 'special_tokens_map.json'));
    const pad = tokenName(special?.['pad_token']) ?? tokenName(config?.['pad_token']);
    const maxLen = config?.['model_max_length'];
    return new ClipTokenizer(new Map(Object.entries(vocabJson)), merges, {
      ...(pad === undefined ? {} : { padToken: pad }),
      ...(typeof maxLen === 'number' && maxLen <= 4096 ? { maxLength: maxLen } : {}),
      ...opts,
    });
  }

  /** Token ids of `text` without start/end tokens, untruncated. */
  tokenize(text: string): number[] {
    const ids: number[] = [];
    for (const part of text.split(this.specialSplit)) {
      if (part === '') continue;
      const special = this.specials.get(part);
      if (special !== undefined) ids.push(special);
      else for (const piece of normalize(part).match(PIECE) ?? []) ids.push(...this.bpe(piece));
    }
    return ids;
  }

  /** `[bos, …tokens, eos]` truncated to `maxLength` (end token kept) and padded with the pad id to `maxLength`. */
  encode(text: string): number[] {
    const body = this.tokenize(text).slice(0, this.maxLength - 2);
    const ids = [this.bosId, ...body, this.eosId];
    while (ids.length < this.maxLength) ids.push(this.padId);
    return ids;
  }

  /** The ids of one pre-token piece: byte symbols, `</w>` on the last, merges applied lowest rank first. */
  private bpe(piece: string): number[] {
    const hit = this.cache.get(piece);
    if (hit !== undefined) return hit;
    const word = Array.from(utf8.encode(piece), (b) => BYTE_SYMBOLS[b]!);
    word[word.length - 1] += '</w>';
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const r = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const a = word[best]!;
      const b = word[best + 1]!;
      // merge every occurrence of the pair, left to right
      for (let i = 0; i < word.length - 1; i++) {
        if (word[i] === a && word[i + 1] === b) word.splice(i, 2, a + b);
      }
    }
    const ids = word.map((t) => {
      const id = this.vocab.get(t);
      if (id === undefined) throw new TokenizerError(`BPE produced ${JSON.stringify(t)}, which the vocabulary lacks (vocab.json and merges.txt disagree)`);
      return id;
    });
    if (this.cache.size < 50_000) this.cache.set(piece, ids);
    return ids;
  }
}

/** NFC, whitespace runs → one space, lowercase per code point (no final-sigma context, as the Rust normalizer). */
function normalize(text: string): string {
  const spaced = text.normalize('NFC').replace(/\s+/gu, ' ');
  let out = '';
  for (const c of spaced) out += c.toLowerCase();
  return out;
}
