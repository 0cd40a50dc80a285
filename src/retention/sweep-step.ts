import type pg from 'pg';
import { toPrivacyError } from '../errors/privacy-error.ts';
import type { SweepLine, SweepRunState } from './sweep-summary.ts';

/** Arguments of one call of `privacy.sweep()`. */
export interface SweepStepOptions {
  /** `table` or `schema.table`; all tables with a policy when left out. */
  table?: string;
  dryRun?: boolean;
  /** Units of work per table in this call (default 1: one batch, one short transaction). */
  maxBatches?: number | null;
  /** Rows per batch (default 10 000). */
  batchSize?: number;
  /** Start no new run of a table that has one started at or after this instant. */
  notBefore?: Date;
  /**
   * How long one call may keep taking batches (and so hold their row locks) once the first is
   * done, in milliseconds (default 200). 0: one batch per call.
   */
  lockBudgetMs?: number;
}

interface SweepRow {
  relation: string;
  action: string;
  blocked_by: string | null;
  row_count: string;
  run_id: string | null;
  run_state: SweepRunState;
  batches_done: number | null;
  batches_total: number | null;
}

/**
 * One call of `privacy.sweep()` on `client`, outside any transaction of the caller's (so that
 * the batch's row locks end with the call). Errors come back as the toolkit's error classes.
 */
export async function sweepStep(client: pg.ClientBase, options: SweepStepOptions = {}): Promise<SweepLine[]> {
  try {
    const { rows } = await client.query<SweepRow>(
      `select * from privacy.sweep(table_name => $1, dry_run => $2, max_batches => $3, batch_size => $4, not_before => $5,
                                   lock_budget => make_interval(secs => $6))`,
      [options.table ?? null, options.dryRun ?? false, options.maxBatches === undefined ? 1 : options.maxBatches,
       options.batchSize ?? 10_000, options.notBefore ?? null, (options.lockBudgetMs ?? 200) / 1000],
    );
    return rows.map((r) => ({
      table: r.relation,
      action: r.action,
      blockedBy: r.blocked_by,
      rows: Number(r.row_count),
      runId: r.run_id === null ? null : Number(r.run_id),
      runState: r.run_state,
      batchesDone: r.batches_done,
      batchesTotal: r.batches_total,
    }));
  } catch (error) {
    throw toPrivacyError(error);
  }
}
