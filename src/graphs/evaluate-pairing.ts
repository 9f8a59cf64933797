/**
 * Pair result files with reference files by name, the way SR tools name their outputs: an SR file may carry a
 * suffix after the reference name (`Canon_10_x1_out.png`, `Canon_10_x1-tadsr.png`, `Canon_10_x1.png` all match
 * HR `Canon_10_x1.png`). Rule: the SR stem matches the **longest** HR stem that equals it or is a prefix of it
 * followed by a separator (`_`, `-`, `.`, space). Extensions are ignored.
 *
 * Each HR image is paired once: an exact stem match wins, else the first SR file in sorted order; the other
 * candidates and the files that match nothing are returned as unpaired, with the reason.
 *
 * ```ts
 * pairByName(['sr/a_out.png'], ['hr/a.png']) // { pairs: [{ name: 'a', srPath: 'sr/a_out.png', hrPath: 'hr/a.png' }], unpaired: [] }
 * ```
 */
import { idFromPath } from '../io/list-images.js';

export interface FilePair {
  /** The HR stem: the image's name in reports. */
  readonly name: string;
  readonly srPath: string;
  readonly hrPath: string;
}

export interface UnpairedFile {
  readonly path: string;
  readonly role: 'sr' | 'hr';
  readonly reason: string;
}

export interface Pairing {
  readonly pairs: FilePair[];
  readonly unpaired: UnpairedFile[];
}

const SEPARATORS = new Set(['_', '-', '.', ' ']);

/** The HR stem an SR stem belongs to, or undefined. */
export function matchStem(srStem: string, hrStems: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const h of hrStems) {
    if (h.length === 0 || (best !== undefined && h.length <= best.length)) continue;
    if (srStem === h || (srStem.startsWith(h) && SEPARATORS.has(srStem[h.length]))) best = h;
  }
  return best;
}

export function pairByName(srPaths: readonly string[], hrPaths: readonly string[], srRole: 'sr' | 'lq' = 'sr'): Pairing {
  const unpaired: UnpairedFile[] = [];
  const hrByStem = new Map<string, string>();
  for (const p of [...hrPaths].sort()) {
    const stem = idFromPath(p);
    if (hrByStem.has(stem)) unpaired.push({ path: p, role: 'hr', reason: `same name as ${hrByStem.get(stem)}` });
    else hrByStem.set(stem, p);
  }
  const hrStems = [...hrByStem.keys()];
  const chosen = new Map<string, string>();
  for (const p of [...srPaths].sort()) {
    const stem = idFromPath(p);
    const h = matchStem(stem, hrStems);
    if (h === undefined) {
      unpaired.push({ path: p, role: 'sr', reason: `no ${srRole === 'lq' ? 'LQ' : 'SR'}-to-HR match: no HR image named like "${stem}"` });
      continue;
    }
    const prev = chosen.get(h);
    if (prev === undefined) {
      chosen.set(h, p);
    } else if (stem === h && idFromPath(prev) !== h) {
      unpaired.push({ path: prev, role: 'sr', reason: `HR "${h}" is already paired with ${p} (exact name)` });
      chosen.set(h, p);
    } else {
      unpaired.push({ path: p, role: 'sr', reason: `HR "${h}" is already paired with ${prev}` });
    }
  }
  const pairs: FilePair[] = [];
  for (const [stem, hrPath] of hrByStem) {
    const srPath = chosen.get(stem);
    if (srPath === undefined) unpaired.push({ path: hrPath, role: 'hr', reason: `no ${srRole === 'lq' ? 'LQ' : 'SR'} image for HR "${stem}"` });
    else pairs.push({ name: stem, srPath, hrPath });
  }
  pairs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { pairs, unpaired };
}
