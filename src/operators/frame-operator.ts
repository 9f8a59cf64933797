/**
 * Building blocks for frame operators: apply a function to good frames, pass {@link FrameError}s through, and
 * turn {@link DataError}s thrown by the function into error values on the stream.
 *
 * ```ts
 * const addWidth = () => mapFrames('width', (f: Has<'hq'>) => ({ ...f, width: f.hq.width }));
 * ```
 */
import { type OperatorFunction, map, mergeMap } from 'rxjs';
import { DataError, type Frame, type Item, frameError, isFrameError } from '../frame.js';

export function mapFrames<In extends Frame, Out extends Frame>(
  stage: string,
  fn: (frame: In) => Out,
): OperatorFunction<Item<In>, Item<Out>> {
  return map((item: Item<In>): Item<Out> => {
    if (isFrameError(item)) return item;
    try {
      return fn(item);
    } catch (err) {
      if (err instanceof DataError) return frameError(item, stage, err);
      throw err;
    }
  });
}

/**
 * Async variant with bounded concurrency: at most `concurrency` frames are in flight in this stage, which is
 * what gives a graph backpressure (upstream sources are pulled only as fast as this stage completes).
 */
export function mergeMapFrames<In extends Frame, Out extends Frame>(
  stage: string,
  fn: (frame: In) => Promise<Out>,
  concurrency = 1,
): OperatorFunction<Item<In>, Item<Out>> {
  return mergeMap(async (item: Item<In>): Promise<Item<Out>> => {
    if (isFrameError(item)) return item;
    try {
      return await fn(item);
    } catch (err) {
      if (err instanceof DataError) return frameError(item, stage, err);
      throw err;
    }
  }, concurrency);
}
