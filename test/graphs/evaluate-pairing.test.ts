import { describe, expect, it } from 'vitest';
import { matchStem, pairByName } from '../../src/graphs/evaluate-pairing.js';

describe('pairing SR files with HR files by name', () => {
  it('matches exact names and suffixed names after a separator', () => {
    const hr = ['Canon_10_x1', 'Canon_1', 'sony_5_x1'];
    expect(matchStem('Canon_10_x1', hr)).toBe('Canon_10_x1');
    expect(matchStem('Canon_10_x1_out', hr)).toBe('Canon_10_x1');
    expect(matchStem('Canon_10_x1-tadsr', hr)).toBe('Canon_10_x1');
    expect(matchStem('sony_5_x1.sr', hr)).toBe('sony_5_x1');
    expect(matchStem('Canon_1_out', hr)).toBe('Canon_1');
  });

  it('takes the longest HR stem and requires a separator (Canon_10 is not Canon_1 + "0")', () => {
    expect(matchStem('Canon_10_x1_out', ['Canon_1', 'Canon_10', 'Canon_10_x1'])).toBe('Canon_10_x1');
    expect(matchStem('Canon_10', ['Canon_1'])).toBeUndefined();
    expect(matchStem('Canon_10_out', ['Canon_1'])).toBeUndefined();
    expect(matchStem('xCanon_1', ['Canon_1'])).toBeUndefined();
  });

  it('pairs directories, prefers the exact name, and reports unpaired files on both sides', () => {
    const r = pairByName(
      ['sr/a_out.png', 'sr/b.png', 'sr/b_out.png', 'sr/c-x.jpg', 'sr/zzz.png'],
      ['hr/a.png', 'hr/b.png', 'hr/c.png', 'hr/d.png'],
    );
    expect(r.pairs).toEqual([
      { name: 'a', srPath: 'sr/a_out.png', hrPath: 'hr/a.png' },
      { name: 'b', srPath: 'sr/b.png', hrPath: 'hr/b.png' },
      { name: 'c', srPath: 'sr/c-x.jpg', hrPath: 'hr/c.png' },
    ]);
    const un = Object.fromEntries(r.unpaired.map((u) => [u.path, u.reason]));
    expect(Object.keys(un).sort()).toEqual(['hr/d.png', 'sr/b_out.png', 'sr/zzz.png']);
    expect(un['sr/b_out.png']).toMatch(/already paired with sr\/b\.png/);
    expect(un['sr/zzz.png']).toMatch(/no HR image named like "zzz"/);
    expect(un['hr/d.png']).toMatch(/no SR image for HR "d"/);
  });
});
