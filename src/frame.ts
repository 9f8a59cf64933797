/**
 * The record that flows through every tadsr graph, and the error value that travels beside it.
 *
 * A frame starts as `{ id }` and gains fields as operators run: `readImages('hq')` adds `hq`, `degrade()` adds
 * `lq`, `encode(t_s)` adds `zL` and `tS`, ... . Each operator is typed by the fields it needs and the ones it
 * adds, so a miswired graph fails to compile.
 *
 * Errors that are *data* (a corrupt file among thousands) become a {@link FrameError} that flows to the end of
 * the stream and is reported there; operators pass it through untouched. Errors that are *bugs* throw.
 *
 * The error channel is a tagged union (`Item<F> = F | FrameError`, told apart by {@link isFrameError}), not an
 * fp-ts `Either`: a good frame stays the plain record every operator and user reads (no `right` to unwrap at each
 * step), the frame helpers in `operators/frame-operator.ts` do the pass-through once, and no dependency is needed.
 */
import type { RgbImage } from './image.js';

export interface Frame {
  /** Stable name of the item, usually the file name without extension. Used to pair and to report. */
  readonly id: string;
}

/** Fields operators may add. Each operator's signature names the ones it reads and writes. */
export interface FrameFields {
  /** Path of the source file. */
  path: string;
  /** High-quality image (ground truth). */
  hq: RgbImage;
  /** Low-quality image (degraded input). */
  lq: RgbImage;
  /** Super-resolved output. */
  sr: RgbImage;
}

/** A frame that carries the named fields. `Has<'hq' | 'lq'>` = frame with both. */
export type Has<K extends keyof FrameFields> = Frame & { readonly [P in K]: FrameFields[P] };

/** A data error that travels in place of the frame that failed. */
export interface FrameError {
  readonly kind: 'frame-error';
  readonly id: string;
  /** The file the frame came from, when known. */
  readonly path?: string;
  /** Which operator failed (`read-images`, `degrade`, ...). */
  readonly stage: string;
  readonly message: string;
}

/** What a stream of frames of type F actually carries. */
export type Item<F extends Frame> = F | FrameError;

export function isFrameError(x: unknown): x is FrameError {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'frame-error';
}

export function frameError(frame: Frame & { path?: string }, stage: string, err: unknown): FrameError {
  const message = err instanceof Error ? err.message : String(err);
  return frame.path === undefined
    ? { kind: 'frame-error', id: frame.id, stage, message }
    : { kind: 'frame-error', id: frame.id, path: frame.path, stage, message };
}

/**
 * Thrown (inside an operator) for a problem with the *data* of one frame; the frame helpers turn it into a
 * {@link FrameError}. Anything else thrown is treated as a bug and propagates.
 */
export class DataError extends Error {
  override name = 'DataError';
}
