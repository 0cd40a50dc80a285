import type { Job, PgBoss, Queue } from 'pg-boss';
import type pg from 'pg';
import { PrivacyError } from '../errors/privacy-error.ts';
import { describeWorkerError } from './database-outage.ts';
import { runSweep } from '../retention/run-sweep.ts';
import type { SweepSummary } from '../retention/sweep-summary.ts';
import {
  SWEEP_DEAD_LETTER_QUEUE, SWEEP_QUEUE, deadLetterQueueSettings, sweepJobData, sweepJobKey, sweepQueueSettings,
  type SweepJobData, type SweepQueueOptions,
} from './sweep-queue.ts';

/** Options of {@link registerSweepHandlers}. */
export interface SweepHandlerOptions extends SweepQueueOptions {
  /** Connections for sweeping, as a member of privacy_sweeper. */
  pool: pg.Pool;
  /** Jobs this process runs at once (default 2); different tables only, by the queue's policy. */
  concurrency?: number;
  /** Rows per batch (default 10 000). */
  batchSize?: number;
  /** How long one transaction may keep taking quick batches (default 200 ms). */
  lockBudgetMs?: number;
  /** Aborted on shutdown: running jobs finish their batch, hand over to a follow-up job and complete. */
  signal?: AbortSignal;
  /** One line per job outcome (counts only). */
  log?: (line: string) => void;
  /** Told of every job's end: `done` (completed or handed over to a follow-up job) or `failed`. */
  onJobEnd?: (outcome: 'done' | 'failed') => void;
}

/** What a sweep job stores as its output: counts, never values. */
export interface SweepJobOutput {
  complete: boolean;
  rows: number;
  partitionRows: number;
  kept: Record<string, number>;
}

/**
 * Creates the sweep queues on `boss` (if missing) and registers the sweep handler, for
 * applications that run their own PgBoss instance; `startSweepWorker` does this too.
 * Returns the worker id (for `boss.offWork`).
 */
export async function registerSweepHandlers(boss: PgBoss, options: SweepHandlerOptions): Promise<string> {
  await ensureQueue(boss, SWEEP_DEAD_LETTER_QUEUE, deadLetterQueueSettings);
  await ensureQueue(boss, SWEEP_QUEUE, sweepQueueSettings(options));
  const log = options.log ?? (() => {});
  const budgetMs = (options.timeBudgetSeconds ?? 300) * 1000;
  return boss.work<SweepJobData, SweepJobOutput>(
    SWEEP_QUEUE,
    { localConcurrency: options.concurrency ?? 2, pollingIntervalSeconds: 2 },
    async (jobs: Job<SweepJobData>[]) => {
      const job = jobs[0]!;
      try {
        const output = await runSweepJob(job);
        options.onJobEnd?.('done');
        return output;
      } catch (error) {
        options.onJobEnd?.('failed');
        // One line per failed job; pg-boss retries it with backoff, then dead-letters it.
        const table = (job.data as { table?: unknown } | undefined)?.table;
        log(`sweep ${typeof table === 'string' ? table : '(bad payload)'} failed (job ${job.id}): ${describeWorkerError(error)}; retried with backoff`);
        throw error;
      }
    },
  );

  async function runSweepJob(job: Job<SweepJobData>): Promise<SweepJobOutput> {
    const parsed = sweepJobData.safeParse(job.data);
    if (!parsed.success) throw new Error(`sweep job ${job.id}: payload must be { table: string }`);
    const { table } = parsed.data;
    const signals = [job.signal, options.signal].filter((s): s is AbortSignal => s !== undefined);
    let summary: SweepSummary;
    try {
      summary = await runSweep(options.pool, {
        table, batchSize: options.batchSize, lockBudgetMs: options.lockBudgetMs, timeBudgetMs: budgetMs,
        signal: AbortSignal.any(signals),
      });
    } catch (error) {
      if (error instanceof PrivacyError && error.code === 'PV305') {
        // The policy was dropped after the job was queued: nothing left to sweep.
        log(`sweep ${table}: no retention policy any more, nothing to do`);
        return { complete: true, rows: 0, partitionRows: 0, kept: {} };
      }
      throw error;
    }
    const result = summary.tables[0];
    const output: SweepJobOutput = {
      complete: summary.complete, rows: result?.rows ?? 0, partitionRows: result?.partitionRows ?? 0, kept: result?.kept ?? {},
    };
    if (summary.failed) {
      // Retried with backoff, then dead-lettered; the run's error (SQLSTATEs only) is in the ledger.
      throw new Error(`sweep of ${table} failed: see privacy.sweep_run and the ledger`);
    }
    if (!summary.complete && !job.signal.aborted) {
      await boss.send(SWEEP_QUEUE, { table }, { singletonKey: sweepJobKey(table) });
    }
    log(`sweep ${table}: ${output.rows} rows ${result?.action === 'delete' ? 'deleted' : 'anonymized'}` +
        (output.partitionRows ? `, ${output.partitionRows} in partitions` : '') +
        (summary.complete ? '' : ' so far, continued in a follow-up job'));
    return output;
  }
}

/** Queues a sweep of `table` now (deduplicated per table like every sweep job). */
export async function sendSweepJob(boss: PgBoss, table: string): Promise<string | null> {
  return boss.send(SWEEP_QUEUE, { table }, { singletonKey: sweepJobKey(table) });
}

/**
 * Creates queue `name` with `settings`, or brings an existing one's settings up to date (a queue
 * made by an earlier version has no heartbeat, and its dead jobs would wait for their expiry).
 */
export async function ensureQueue(boss: PgBoss, name: string, settings: Omit<Queue, 'name'>): Promise<void> {
  const existing = await boss.getQueue(name);
  if (!existing) {
    try {
      await boss.createQueue(name, settings);
      return;
    } catch (error) {
      // Another worker created it in the meantime.
      if (!(await boss.getQueue(name))) throw error;
    }
  }
  const { policy: _policy, partition: _partition, ...changeable } = settings;
  const current = existing ?? (await boss.getQueue(name));
  const stale = Object.entries(changeable).some(([key, value]) => (current as unknown as Record<string, unknown>)[key] !== value);
  if (stale) await boss.updateQueue(name, changeable);
}
