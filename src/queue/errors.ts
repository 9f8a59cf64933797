/** A usage problem with the queue (bad URL, no Redis there, a job refused by settings): one clear message. */
export class QueueUsageError extends Error {
  override name = 'QueueUsageError';
}
