import { describe, expect, it } from 'vitest';
import { Lockstep } from '../../src/tiling/lockstep.js';

describe('Lockstep (tiles meeting round by round)', () => {
  it('combines a round once every participant has met, in participant order, round after round', async () => {
    const seen: number[][] = [];
    const ls = new Lockstep<number, number>(3, (xs, round) => {
      seen.push([round, ...xs]);
      return xs.map((x) => x + xs.reduce((a, b) => a + b, 0));
    });
    // participants arrive out of order; each gets its own share
    expect(await Promise.all([ls.meet(2, 30), ls.meet(0, 10), ls.meet(1, 20)])).toEqual([90, 70, 80]);
    expect(await Promise.all([ls.meet(1, 2), ls.meet(0, 1), ls.meet(2, 3)])).toEqual([8, 7, 9]);
    expect(seen).toEqual([
      [0, 10, 20, 30],
      [1, 1, 2, 3],
    ]);
    expect(ls.rounds).toBe(2);
  });

  it('nobody waits forever: abort, a participant that left, a failing combine and a double meeting all reject', async () => {
    const aborted = new Lockstep<number, number>(2, (xs) => xs);
    const waiting = aborted.meet(0, 1);
    aborted.abort(new Error('tile 1 failed'));
    await expect(waiting).rejects.toThrow('tile 1 failed');
    await expect(aborted.meet(1, 2)).rejects.toThrow('tile 1 failed'); // and every later meeting

    const left = new Lockstep<number, number>(2, (xs) => xs);
    const w = left.meet(0, 1);
    left.leave(1);
    await expect(w).rejects.toThrow(/participant 1 left/);
    const left2 = new Lockstep<number, number>(2, (xs) => xs);
    left2.leave(1); // left before anyone waited: the next one to wait fails
    await expect(left2.meet(0, 1)).rejects.toThrow(/which left/);

    const bad = new Lockstep<number, number>(2, () => {
      throw new Error('combine broke');
    });
    await expect(Promise.all([bad.meet(0, 1), bad.meet(1, 2)])).rejects.toThrow('combine broke');

    const twice = new Lockstep<number, number>(2, (xs) => xs);
    void twice.meet(0, 1).catch(() => undefined);
    await expect(twice.meet(0, 1)).rejects.toThrow(/met twice/);
    expect(() => new Lockstep(0, (xs) => xs)).toThrow(RangeError);
  });
});
