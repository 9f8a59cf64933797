/**
 * Classifier-free guidance used by the TAVSD teacher: scale 7.5 + t_v/200, ε = ε_u + s·(ε_c − ε_u).
 *
 * ```ts
 * cfgScale(250); // 8.75
 * ```
 */

/** TADSR's time-dependent guidance scale 7.5 + t_v/200. */
export function cfgScale(tV: number): number {
  return 7.5 + tV / 200;
}
