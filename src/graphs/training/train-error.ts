/** A usage problem with a training run (config vs checkpoint, missing files); one clear message. */
export class TrainError extends Error {
  override name = 'TrainError';
}
