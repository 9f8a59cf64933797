/**
 * `tadsr/queue` — degradation spread over many machines through a Redis job queue (BullMQ). A subpath of its own
 * so that `import 'tadsr'` does not load BullMQ and ioredis.
 *
 * ```ts
 * import { enqueueDegrade, startQueueWorker, queueStatus } from 'tadsr/queue';
 * ```
 */
export { DEFAULT_QUEUE_NAME, QueueUsageError, checkReachable, parseQueueUrl } from './connection.js';
export {
  DEGRADE_JOB,
  TADSR_VERSION,
  type DegradeJobData,
  type DegradeJobResult,
  degradeConfigHash,
  degradeJobId,
  sweepTempFiles,
} from './degrade-jobs.js';
export { type EnqueueDegradeOptions, type QueueDegradeEvent, enqueueDegrade } from './degrade-producer.js';
export { type QueueWorker, type QueueWorkerEvent, type QueueWorkerOptions, refusal, startQueueWorker } from './queue-worker.js';
export { type QueueFailure, type QueueStatus, type QueueStatusOptions, queueStatus } from './queue-status.js';
