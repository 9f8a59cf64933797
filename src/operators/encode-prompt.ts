/**
 * `encodePrompt(encoder, facts, { prompt, tags })` — the UNet condition of each frame: the official prompt
 * `"{tags}, {prompt},"` (tags looked up by the frame's id in a tags map) encoded by the model's text encoder →
 * `prompt`, `context`. Models without a text encoder (`encoder` null) get the fixed zero condition and reject a
 * prompt or tags (they cannot read them). `denoise` uses `context` when a frame carries one.
 *
 * ```ts
 * frames$.pipe(encodePrompt(enc, facts, { prompt: 'clean, 8k', tags }), encode(b, facts, { tS: 500 }), denoise(b, facts))
 * ```
 */
import type { OperatorFunction } from 'rxjs';
import type { Frame, Item } from '../frame.js';
import { DataError } from '../frame.js';
import type { PromptEncoder } from '../text/prompt-encoder.js';
import { officialPrompt, tagsKey } from '../text/prompt.js';
import { mergeMapFrames } from './frame-operator.js';
import { type ModelFacts, emptyContext } from './net-calls.js';
import type { WithContext } from './tadsr-fields.js';

export interface EncodePromptOptions {
  /** The user prompt (`--prompt`). */
  readonly prompt?: string;
  /** Tags per image, keyed by {@link tagsKey} of the frame id (`--tags FILE`, see `readTagsFile`). */
  readonly tags?: ReadonlyMap<string, string>;
  /** With `tags`: a frame without an entry is a data error (default), or gets no tags (`false`). */
  readonly requireTags?: boolean;
}

export function encodePrompt<In extends Frame>(
  encoder: PromptEncoder | null,
  facts: ModelFacts,
  opts: EncodePromptOptions = {},
): OperatorFunction<Item<In>, Item<In & WithContext>> {
  if (encoder === null && (opts.prompt !== undefined || opts.tags !== undefined)) {
    throw new Error('this model has no text encoder: it cannot read a prompt or tags');
  }
  return mergeMapFrames('encode-prompt', async (frame: In) => {
    const tags = opts.tags?.get(tagsKey(frame.id));
    if (opts.tags !== undefined && tags === undefined && opts.requireTags !== false) {
      throw new DataError(`no tags for "${frame.id}" in the tags file`);
    }
    const prompt = officialPrompt(tags, opts.prompt);
    const context = encoder === null ? emptyContext(facts, 1) : await encoder.encode(prompt);
    return { ...frame, prompt, context };
  });
}
