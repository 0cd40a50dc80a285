import type { Job, PgBoss } from 'pg-boss';
import type pg from 'pg';
import { toPrivacyError } from '../errors/privacy-error.ts';
import { describeWorkerError } from './database-outage.ts';
import { ensureQueue } from './sweep-handlers.ts';
import { deadLetterQueueSettings } from './sweep-queue.ts';
import {
  ERASURE_DEAD_LETTER_QUEUE, ERASURE_QUEUE, erasureJobData, erasureJobKey, erasureQueueSettings, type ErasureJobData,
} from './erasure-queue.ts';

/** Options of {@link registerErasureHandlers}. */
export interface ErasureHandlerOptions {
  /** Connections as a member of privacy_sweeper (or privacy_admin). */
  pool: pg.Pool;
  /** How often to look for erasure requests to process and kept-back rows now due (default every ten minutes). */
  scanCron?: string;
  /** One line per job outcome (counts and request ids only). */
  log?: (line: string) => void;
  /** Told of every job's end: `done` or `failed`. */
  onJobEnd?: (outcome: 'done' | 'failed') => void;
}

/** What an erasure job stores as its output: counts, never values. */
export interface ErasureJobOutput {
  request?: string;
  status?: string;
  /** Rows per outcome (`deleted`, `anonymized`, `restricted`). */
  rows: Record<string, number>;
  queued?: number;
}

async function query<R extends pg.QueryResultRow>(pool: pg.Pool, text: string, values: unknown[] = []): Promise<R[]> {
  try {
    return (await pool.query<R>(text, values)).rows;
  } catch (error) {
    throw toPrivacyError(error);
  }
}

function countRows(lines: { outcome: string; row_count: string | number }[]): Record<string, number> {
  const rows: Record<string, number> = {};
  for (const l of lines) rows[l.outcome] = (rows[l.outcome] ?? 0) + Number(l.row_count);
  return rows;
}

/**
 * Creates the erasure queues on `boss` (if missing), schedules the scan, and registers the
 * handler: a job with a request id processes that erasure request (`privacy.process_subject_request`,
 * which lets a sweeper process erasure requests and nothing else); the scan queues a job per
 * pending erasure request and erases rows erasures kept back once nothing keeps them
 * (`privacy.erase_due`). A failed request is retried with backoff, then dead-lettered.
 * Returns the worker id (for `boss.offWork`).
 */
export async function registerErasureHandlers(boss: PgBoss, options: ErasureHandlerOptions): Promise<string> {
  await ensureQueue(boss, ERASURE_DEAD_LETTER_QUEUE, deadLetterQueueSettings);
  await ensureQueue(boss, ERASURE_QUEUE, erasureQueueSettings);
  const log = options.log ?? (() => {});
  await boss.schedule(ERASURE_QUEUE, options.scanCron ?? '*/10 * * * *', { scan: true }, { key: 'scan', singletonKey: 'scan' });
  return boss.work<ErasureJobData, ErasureJobOutput>(ERASURE_QUEUE, { localConcurrency: 1, pollingIntervalSeconds: 2 },
    async (jobs: Job<ErasureJobData>[]) => {
      const job = jobs[0]!;
      try {
        const output = await runErasureJob(job);
        options.onJobEnd?.('done');
        return output;
      } catch (error) {
        options.onJobEnd?.('failed');
        // One line per failed job; pg-boss retries it with backoff, then dead-letters it.
        const what = 'requestId' in (job.data ?? {}) ? `erasure request ${(job.data as { requestId: string }).requestId}` : 'erasure scan';
        log(`${what} failed (job ${job.id}): ${describeWorkerError(error)}; retried with backoff`);
        throw error;
      }
    });

  async function runErasureJob(job: Job<ErasureJobData>): Promise<ErasureJobOutput> {
    const parsed = erasureJobData.safeParse(job.data);
    if (!parsed.success) throw new Error(`erasure job ${job.id}: payload must be { requestId: "<id>" } or { scan: true }`);
    const data = parsed.data;
    if ('scan' in data) {
      const pending = await query<{ id: string }>(options.pool, 'select x::text as id from privacy.pending_erasure_requests() as x');
      for (const { id } of pending) await sendErasureJob(boss, id);
      const due = await query<{ outcome: string; row_count: string }>(options.pool,
        'select outcome, row_count from privacy.erase_due()');
      const rows = countRows(due);
      log(`erasure scan: ${pending.length} requests queued` +
          (due.length > 0 ? `, kept-back rows now erased: ${JSON.stringify(rows)}` : ''));
      return { queued: pending.length, rows };
    }
    const [result] = await query<{ outcome: { status: string; sqlstate?: string; outcome?: { report?: { outcome: string; row_count: number }[] } } }>(
      options.pool, 'select privacy.process_subject_request($1::bigint) as outcome', [data.requestId]);
    const outcome = result!.outcome;
    if (outcome.status === 'failed') {
      // Retried with backoff, then dead-lettered; the SQLSTATE is in the request and the ledger.
      throw new Error(`erasure request ${data.requestId} failed: SQLSTATE ${outcome.sqlstate ?? 'unknown'}`);
    }
    const rows = countRows(outcome.outcome?.report ?? []);
    log(`erasure request ${data.requestId}: ${outcome.status} ${JSON.stringify(rows)}`);
    return { request: data.requestId, status: outcome.status, rows };
  }
}

/** Queues the processing of an erasure request now (one job per request at a time). */
export async function sendErasureJob(boss: PgBoss, requestId: string | number | bigint): Promise<string | null> {
  const data: ErasureJobData = { requestId: String(requestId) };
  return boss.send(ERASURE_QUEUE, data, { singletonKey: erasureJobKey(data) });
}
