/**
 * An integer command-line option in [min, max]: the number, `undefined` when the option was not given, or the
 * usage message (a string) when it is not such an integer.
 *
 * ```ts
 * const n = intOption('workers', o.workers, 1, 64); if (typeof n === 'string') return usage(n);
 * ```
 */
export function intOption(name: string, value: string | undefined, min: number, max: number): number | undefined | string {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    return `--${name} must be an integer from ${min} to ${max}, got "${value}"`;
  }
  return n;
}
