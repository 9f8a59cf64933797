/**
 * What the JSON run configs (train, pretrain) share: reading the file, validating with ajv (defaults filled in)
 * into one ConfigError that names every bad key, and resolving relative paths against the file's folder.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';

/** A config that failed validation; the message lists every bad key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** One line per ajv error, naming the key: `data.patch: must be >= 16`. */
export function describeAjvErrors(errors: readonly ErrorObject[]): string[] {
  return [
    ...new Set(
      errors.map((e) => {
        const where = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(config)';
        if (e.keyword === 'additionalProperties') return `${where === '(config)' ? '' : `${where}.`}${(e.params as { additionalProperty: string }).additionalProperty}: unknown key`;
        if (e.keyword === 'enum') return `${where}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
        return `${where}: ${e.message ?? e.keyword}`;
      }),
    ),
  ];
}

/**
 * Validate a copy of `input` (defaults filled in by ajv); a ConfigError listing every bad key when it fails.
 *
 * @example
 * const cfg = validateConfig(validate, json, 'run.json');
 */
export function validateConfig<T>(validate: ValidateFunction<T>, input: unknown, source: string): T {
  const obj = structuredClone(input ?? {});
  if (!validate(obj)) throw new ConfigError(`${source} is invalid:\n  ${describeAjvErrors(validate.errors ?? []).join('\n  ')}`);
  return obj;
}

/**
 * Parse a JSON config file; a ConfigError naming the file when it cannot be read or is not JSON.
 *
 * @example
 * const json = await readJsonConfig('run.json', 'training config');
 */
export async function readJsonConfig(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read ${what} ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** A function that makes a config path absolute against `base` (the config file's folder). */
export function resolveAgainst(base: string): (p: string) => string {
  return (p) => (isAbsolute(p) ? p : resolve(base, p));
}
