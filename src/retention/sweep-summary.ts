import type { DueErasures } from './due-erasures.ts';

/** How far a table's sweep run is, as `privacy.sweep()` reports it. */
export type SweepRunState = 'running' | 'busy' | 'done' | 'failed' | 'dry_run';

/**
 * One line of `privacy.sweep()`: for one table, the rows an action was applied to (`blockedBy`
 * null) or the rows kept back for one reason (`minimum:bookkeeping`, `hold:debt`,
 * `referenced:public.invoice` …). Counts only: a sweep never returns a value of a row.
 */
export interface SweepLine {
  /** `schema.table`, quoted as SQL would need it. */
  table: string;
  /** `anonymize`, `delete`, `drop_partition` or `detach_partition`. */
  action: string;
  blockedBy: string | null;
  rows: number;
  runId: number | null;
  runState: SweepRunState;
  batchesDone: number | null;
  batchesTotal: number | null;
}

/** What a sweep did (or, in a dry run, would do) to one table. */
export interface TableSweepSummary {
  table: string;
  /** The policy's action. */
  action: 'anonymize' | 'delete';
  /** Rows anonymized or deleted one by one. */
  rows: number;
  /** Rows that went with whole partitions (dropped or detached). */
  partitionRows: number;
  /** Rows kept back, by reason. */
  kept: Record<string, number>;
  runId: number | null;
  state: SweepRunState;
  batchesDone: number;
  batchesTotal: number;
  /** Why the run failed (state `failed`): the SQLSTATE and the constraint or column, and what to do. */
  error?: SweepFailure;
  /** The whole partitions dropped or detached (in a dry run: that would be), by schema-qualified name. */
  partitions?: { name: string; rows: number }[];
}

/** A failed sweep run's error, as `privacy.sweep_failure()` gives it: no value of a row, ever. */
export interface SweepFailure {
  /** e.g. `1 batches failed: 23514 (customer_org_number_check)`. */
  message: string;
  /** What to do about it. */
  hint: string | null;
}

/** What `runSweep` did. */
export interface SweepSummary {
  dryRun: boolean;
  /** False when the time budget or an abort signal ended it before every table was done. */
  complete: boolean;
  /** True when a table's run failed (its error is in privacy.sweep_run and the ledger). */
  failed: boolean;
  elapsedMs: number;
  tables: TableSweepSummary[];
  /** The kept-back erasures erased after the tables (`privacy.erase_due`), when asked for with `erasures`. */
  erasures?: DueErasures;
}

/** Adds lines of `privacy.sweep()` to a table's running summary. */
export function addSweepLines(summary: TableSweepSummary | undefined, lines: SweepLine[]): TableSweepSummary | undefined {
  let current = summary;
  for (const line of lines) {
    current ??= {
      table: line.table, action: line.action === 'delete' || line.action.endsWith('_partition') ? 'delete' : 'anonymize',
      rows: 0, partitionRows: 0, kept: {}, runId: null, state: line.runState, batchesDone: 0, batchesTotal: 0,
    };
    if (line.blockedBy !== null) {
      current.kept[line.blockedBy] = (current.kept[line.blockedBy] ?? 0) + line.rows;
    } else if (line.action.endsWith('_partition')) {
      current.partitionRows += line.rows;
    } else {
      current.rows += line.rows;
    }
    if (line.runId !== null) current.runId = line.runId;
    current.state = line.runState;
    current.batchesDone = line.batchesDone ?? current.batchesDone;
    current.batchesTotal = line.batchesTotal ?? current.batchesTotal;
  }
  return current;
}
