/**
 * A meeting point for the tiles of one image that run the same steps side by side (shared statistics across
 * tiles): each of `size` participants calls {@link Lockstep.meet} with its value for the current round; when the
 * last one arrives, `combine` sees all values (in participant order) and its results go back, one per
 * participant. Then the next round opens. Every tile's `backend.run` is one round of the shared-GroupNorm backend
 * (src/backends/shared-norm.ts: `lockstepBackends`), the colour fix's channel statistics one more
 * (src/operators/tiled-shared.ts).
 *
 * A participant that fails or finishes while others wait would leave them waiting forever: {@link Lockstep.abort}
 * rejects every waiting and every later meeting with the error, {@link Lockstep.leave} aborts when others are
 * (or later come) waiting for one that has left.
 *
 * ```ts
 * const sum = new Lockstep<number, number>(2, async (xs) => xs.map(() => xs[0]! + xs[1]!));
 * await Promise.all([sum.meet(0, 3), sum.meet(1, 4)]); // [7, 7]
 * ```
 */

interface Round<T, R> {
  readonly values: (T | undefined)[];
  readonly arrived: boolean[];
  readonly waiters: { resolve: (r: R) => void; reject: (e: unknown) => void }[];
  count: number;
}

export class Lockstep<T, R> {
  private round: Round<T, R>;
  private readonly left = new Set<number>();
  private failure: unknown = undefined;
  private failed = false;
  /** Rounds completed so far. */
  rounds = 0;

  constructor(
    readonly size: number,
    private readonly combine: (values: readonly T[], round: number) => Promise<readonly R[]> | readonly R[],
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a lockstep needs at least one participant, got ${size}`);
    this.round = this.fresh();
  }

  private fresh(): Round<T, R> {
    return { values: new Array<T | undefined>(this.size).fill(undefined), arrived: new Array<boolean>(this.size).fill(false), waiters: [], count: 0 };
  }

  /** Participant `index`'s value for the current round; resolves with its share of `combine`'s results. */
  meet(index: number, value: T): Promise<R> {
    if (this.failed) return Promise.reject(this.failure);
    if (!Number.isInteger(index) || index < 0 || index >= this.size) return Promise.reject(new RangeError(`no participant ${index} in a lockstep of ${this.size}`));
    const r = this.round;
    if (this.left.has(index)) return Promise.reject(new Error(`lockstep participant ${index} met after leaving`));
    if (r.arrived[index]) return Promise.reject(new Error(`lockstep participant ${index} met twice in round ${this.rounds}`));
    const p = new Promise<R>((resolve, reject) => {
      r.waiters[index] = { resolve, reject };
    });
    r.values[index] = value;
    r.arrived[index] = true;
    r.count++;
    if (r.count === this.size) {
      this.round = this.fresh();
      const n = this.rounds++;
      Promise.resolve()
        .then(() => this.combine(r.values as T[], n))
        .then(
          (results) => {
            if (results.length !== this.size) throw new Error(`lockstep round ${n}: ${results.length} results for ${this.size} participants`);
            r.waiters.forEach((w, i) => w.resolve(results[i]!));
          },
          (err: unknown) => {
            this.abort(err);
            r.waiters.forEach((w) => w.reject(err));
          },
        )
        .catch((err: unknown) => {
          this.abort(err);
          r.waiters.forEach((w) => w.reject(err));
        });
    } else if (this.left.size > 0) {
      this.abort(new Error(`lockstep round ${this.rounds}: participant ${index} waits for ${[...this.left].join(', ')}, which left`));
    }
    return p;
  }

  /** Participant `index` takes no further part: those waiting for it (now or later) fail instead of hanging. */
  leave(index: number): void {
    this.left.add(index);
    if (this.round.count > 0 && !this.round.arrived[index]) this.abort(new Error(`lockstep round ${this.rounds}: participant ${index} left while others wait`));
  }

  /** Fail every waiting and every later meeting with `err` (the first abort's error wins). */
  abort(err: unknown): void {
    if (!this.failed) {
      this.failed = true;
      this.failure = err;
    }
    const r = this.round;
    this.round = this.fresh();
    r.waiters.forEach((w) => w?.reject(this.failure));
  }
}
