/**
 * Prompts as the official TADSR/OSEDiff inference builds them, and the tags file that carries a tagger's output.
 *
 * Official (`test_tadsr.py` / OSEDiff `test_osediff.py`): `validation_prompt = f"{tags}, {args.prompt},"` where
 * `tags` is the RAM/DAPE tagger's caption of the LQ image. tadsr takes the tags from a JSON-lines file
 * (`--tags FILE`, one `{"name": "0001.png", "tags": "building, sky, tree"}` per image) and the user prompt from
 * `--prompt`; with neither, the prompt is the empty string "" (the unconditional prompt, whose real embedding the
 * UNet then reads — never zeros).
 *
 * ```ts
 * officialPrompt('building, sky', 'clean, high-resolution, 8k'); // "building, sky, clean, high-resolution, 8k,"
 * const tags = await readTagsFile('tags.jsonl');                  // Map { "0001" => "building, sky", … }
 * ```
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';

/** `"{tags}, {prompt},"` (official); "" when both are absent. */
export function officialPrompt(tags: string | undefined, prompt: string | undefined): string {
  if (tags === undefined && prompt === undefined) return '';
  return `${tags ?? ''}, ${prompt ?? ''},`;
}

/** A tags file that cannot be used; the message names the file and line. */
export class TagsFileError extends Error {
  override name = 'TagsFileError';
}

/** Key of an image in a tags map: its file name without directory and extension. */
export function tagsKey(nameOrPath: string): string {
  const b = basename(nameOrPath);
  return b.slice(0, b.length - extname(b).length);
}

/**
 * Read a JSON-lines tags file: `{"name": …, "tags": …}` per line (blank lines skipped). Names may carry a folder
 * or an extension; they are keyed by {@link tagsKey}. A name given twice, a bad line or a non-string field throws.
 */
export async function readTagsFile(path: string): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TagsFileError(`cannot read tags file ${path}: ${(err as Error).message}`);
  }
  const out = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      throw new TagsFileError(`${path}:${i + 1}: not JSON (${(err as Error).message})`);
    }
    const { name, tags } = (row ?? {}) as { name?: unknown; tags?: unknown };
    if (typeof name !== 'string' || name === '' || typeof tags !== 'string') {
      throw new TagsFileError(`${path}:${i + 1}: expected {"name": string, "tags": string}`);
    }
    const key = tagsKey(name);
    if (out.has(key)) throw new TagsFileError(`${path}:${i + 1}: "${name}" is tagged twice`);
    out.set(key, tags);
  }
  return out;
}
