import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Queue } from 'pg-boss';

/** The pg-boss queue of retention sweeps: one job sweeps one table. */
export const SWEEP_QUEUE = 'integritet.sweep';

/** Where sweep jobs go once their retries are spent. */
export const SWEEP_DEAD_LETTER_QUEUE = 'integritet.sweep.dead';

/**
 * A sweep job's payload: the name of the table, and nothing else. Table names are schema
 * objects, never personal data; the job's outcome is counts only.
 */
export const sweepJobData = z.object({
  table: z.string().min(1).max(300),
}).strict();

/** A sweep job's payload. */
export type SweepJobData = z.infer<typeof sweepJobData>;

/** Tuning of the sweep queue; the defaults suit a nightly sweep. */
export interface SweepQueueOptions {
  /** Seconds one job may sweep before it hands over to a follow-up job (default 300). */
  timeBudgetSeconds?: number;
  /** Retries of a failed job, with exponential backoff, before it goes to the dead-letter queue (default 5). */
  retryLimit?: number;
  /** First retry delay in seconds (default 5), doubling up to an hour. */
  retryDelaySeconds?: number;
  /**
   * Seconds without a heartbeat after which a running job is presumed dead (its worker crashed or
   * lost the server) and retried, by another worker if there is one (default 10, pg-boss's least).
   * The running worker sends one every half of it.
   */
  heartbeatSeconds?: number;
  /** How long completed jobs are kept (default 3600 s): long enough to look at, not to pile up. */
  keepCompletedSeconds?: number;
}

/**
 * The queue's settings. `stately`: per table (the singleton key), at most one job queued and one
 * running, so a cron firing while a long sweep runs, or a follow-up job, never makes two sweeps
 * of one table run at once and never piles up duplicates.
 */
export function sweepQueueSettings(options: SweepQueueOptions = {}): Omit<Queue, 'name'> {
  const budget = options.timeBudgetSeconds ?? 300;
  return {
    policy: 'stately',
    deadLetter: SWEEP_DEAD_LETTER_QUEUE,
    retryLimit: options.retryLimit ?? 5,
    retryDelay: options.retryDelaySeconds ?? 5,
    retryBackoff: true,
    retryDelayMax: 3600,
    // A job whose worker died is retried once its heartbeat is this late, not after its expiry.
    heartbeatSeconds: Math.max(10, Math.ceil(options.heartbeatSeconds ?? 10)),
    // A job that overruns its budget by this much (heartbeats and all) is stuck: retried elsewhere.
    expireInSeconds: Math.ceil(budget) + 600,
    deleteAfterSeconds: options.keepCompletedSeconds ?? 3600,
    retentionSeconds: 7 * 24 * 3600,
  };
}

/** The dead-letter queue keeps failed jobs for a month, for someone to look at and redrive. */
export const deadLetterQueueSettings: Omit<Queue, 'name'> = {
  policy: 'standard',
  retentionSeconds: 30 * 24 * 3600,
  deleteAfterSeconds: 30 * 24 * 3600,
};

/**
 * The singleton and schedule key of a table's jobs. pg-boss keys allow letters, digits and
 * `_ . - /`; a table name with other characters (quoted identifiers) gets a stable hash instead.
 */
export function sweepJobKey(table: string): string {
  return /^[\w.\-/]+$/.test(table) ? table : `t-${createHash('sha256').update(table).digest('hex').slice(0, 32)}`;
}
