import { z } from 'zod';
import type { Queue } from 'pg-boss';

/** The pg-boss queue of erasures: one job processes one erasure request, or scans for work. */
export const ERASURE_QUEUE = 'integritet.erasure';

/** Where erasure jobs go once their retries are spent. */
export const ERASURE_DEAD_LETTER_QUEUE = 'integritet.erasure.dead';

/**
 * An erasure job's payload: the id of a request in privacy.subject_request, or `scan` (queue a
 * job per pending erasure request, and erase what erasures kept back once nothing keeps it).
 * Never a subject's id: that stays in the request, which the worker cannot read.
 */
export const erasureJobData = z.union([
  z.object({ requestId: z.string().regex(/^[1-9][0-9]{0,18}$/) }).strict(),
  z.object({ scan: z.literal(true) }).strict(),
]);

/** An erasure job's payload. */
export type ErasureJobData = z.infer<typeof erasureJobData>;

/** The singleton key of a request's jobs: one queued and one running per request at most. */
export function erasureJobKey(data: ErasureJobData): string {
  return 'requestId' in data ? `request-${data.requestId}` : 'scan';
}

/** Settings of the erasure queue: per request (the singleton key) one job queued and one running. */
export const erasureQueueSettings: Omit<Queue, 'name'> = {
  policy: 'stately',
  deadLetter: ERASURE_DEAD_LETTER_QUEUE,
  retryLimit: 5,
  retryDelay: 60,
  retryBackoff: true,
  retryDelayMax: 3600,
  // A job whose worker died is retried once its heartbeat is this late, not after its expiry.
  heartbeatSeconds: 10,
  expireInSeconds: 900,
  deleteAfterSeconds: 3600,
  retentionSeconds: 7 * 24 * 3600,
};
