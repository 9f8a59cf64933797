/**
 * Prompt → UNet condition for a model with a text encoder: tokenize with the model folder's CLIP tokenizer, run the
 * backend's `textEncoder` graph, keep `last_hidden_state` `[1, 77, D]` — the official `encode_prompt`. Each distinct
 * prompt is encoded once per model (the empty prompt included) and then served from a cache.
 *
 * ```ts
 * const enc = await PromptEncoder.fromModel(backend, 'models/sd21-tadsr', manifest);
 * const ctx = await enc.encode('building, sky, clean, high-resolution, 8k,'); // HostTensor [1, 77, 1024]
 * ```
 */
import { join } from 'node:path';
import type { Backend, HostTensor } from '../backends/backend.js';
import { ClipTokenizer } from './clip-tokenizer.js';

/** At most this many prompts are kept (a folder of images with per-image tags has one prompt per image). */
const CACHE_LIMIT = 64;

export class PromptEncoder {
  private readonly cache = new Map<string, Promise<HostTensor>>();
  /** How many prompts went through the text encoder (not served from the cache). */
  encoded = 0;

  constructor(
    readonly backend: Backend,
    readonly tokenizer: ClipTokenizer,
  ) {}

  /** The encoder of a model directory whose manifest names a tokenizer folder. */
  static async fromModel(backend: Backend, dir: string, files: { readonly tokenizer?: string }): Promise<PromptEncoder> {
    if (files.tokenizer === undefined) throw new Error(`${dir}: the model has no tokenizer folder`);
    return new PromptEncoder(backend, await ClipTokenizer.fromFolder(join(dir, files.tokenizer)));
  }

  /** `last_hidden_state` `[1, maxLength, D]` of `prompt`. */
  encode(prompt: string): Promise<HostTensor> {
    const hit = this.cache.get(prompt);
    if (hit !== undefined) {
      // keep recently used prompts (the empty one above all) at the young end
      this.cache.delete(prompt);
      this.cache.set(prompt, hit);
      return hit;
    }
    const ids = this.tokenizer.encode(prompt);
    const p = this.backend.run('textEncoder', { inputIds: { shape: [1, ids.length], data: Float32Array.from(ids) } }).then((out) => {
      const h = out['lastHiddenState'];
      if (h === undefined) throw new Error(`textEncoder returned ${Object.keys(out).join(', ')}, expected lastHiddenState`);
      return h;
    });
    this.encoded++;
    this.cache.set(prompt, p);
    p.catch(() => this.cache.delete(prompt));
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    return p;
  }
}
