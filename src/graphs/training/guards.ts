/**
 * Guards of a training loop: a step whose loss or gradient norm is not finite stops the run with one message naming
 * the step and the term, before anything of that step is saved, so the last checkpoint on disk stays the last good
 * one and no broken model is written.
 *
 * ```ts
 * assertFiniteStep(12, { loss_mse: 0.1, grad_norm: NaN }, 'runs/x/checkpoints/step-000010');
 * // TrainDivergedError: step 12: grad_norm is NaN — training stopped …
 * ```
 */

/** The run diverged (NaN/Infinity); a run-time fault, not a usage error (exit 1). */
export class TrainDivergedError extends Error {
  override name = 'TrainDivergedError';
  constructor(
    message: string,
    readonly step: number,
    readonly term: string,
  ) {
    super(message);
  }
}

/** Throw a {@link TrainDivergedError} when any of `values` (nulls are terms that are off) is NaN or ±Infinity. */
export function assertFiniteStep(step: number, values: Readonly<Record<string, number | null | undefined>>, lastCheckpoint: string | undefined, hint = 'lower "lr" or check the teacher\'s weights'): void {
  for (const [term, v] of Object.entries(values)) {
    if (v === null || v === undefined || Number.isFinite(v)) continue;
    const others = Object.entries(values)
      .filter(([k, x]) => k !== term && typeof x === 'number')
      .map(([k, x]) => `${k} ${Number.isFinite(x) ? (x as number).toPrecision(4) : String(x)}`)
      .join(', ');
    throw new TrainDivergedError(
      `step ${step}: ${term} is ${v} (${others}) — training stopped before saving anything of this step; ` +
        (lastCheckpoint ? `the last good checkpoint is ${lastCheckpoint} (--resume continues from it)` : 'no checkpoint was written yet') +
        `; no model was written. ${hint[0]!.toUpperCase()}${hint.slice(1)}.`,
      step,
      term,
    );
  }
}
