import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { guardClient, openClient } from '../database/open-client.ts';
import { StoppedError, toPrivacyError } from '../errors/privacy-error.ts';
import { detachExpiredPartitions } from './detach-partitions.ts';
import { eraseDueSubjects, type DueErasures } from './due-erasures.ts';
import { sweepStep } from './sweep-step.ts';
import { addSweepLines, type SweepFailure, type SweepSummary, type TableSweepSummary } from './sweep-summary.ts';

/** Where a sweep connects: a connection string, a `pg` client configuration, or a pool to borrow from. */
export type SweepConnection = string | pg.ClientConfig | pg.Pool;

/** Where a sweep is, after each batch. */
export interface SweepProgress {
  table: string;
  /** 1-based position of the table among those being swept. */
  tableNumber: number;
  tableCount: number;
  batchesDone: number;
  batchesTotal: number;
  /** Rows anonymized or deleted in this table so far (this run of runSweep). */
  rows: number;
}

/** Options of {@link runSweep}. */
export interface RunSweepOptions {
  /** `table` or `schema.table`; every table with a retention policy when left out. */
  table?: string;
  /** Count what a sweep would do, per table, action and reason, and change nothing. */
  dryRun?: boolean;
  /** Rows per batch (default 10 000). */
  batchSize?: number;
  /** How long one transaction may keep taking quick batches, holding their row locks (default 200 ms). */
  lockBudgetMs?: number;
  /** Stop once this much time has passed (the batch in flight finishes); the summary says `complete: false`. */
  timeBudgetMs?: number;
  /**
   * Stops like the time budget does, e.g. on SIGTERM: the batch in flight finishes. While
   * connecting, an abort gives up at once.
   */
  signal?: AbortSignal;
  /**
   * How long a batch in flight may take to finish once `signal` aborted (default 10 000 ms); then
   * its connection is closed, so the server rolls the batch back, and the sweep returns
   * `complete: false` (a later run does the batch again).
   */
  stopGraceMs?: number;
  /** Called after every batch. */
  onProgress?: (progress: SweepProgress) => void;
  /** Pause while other workers hold a run's last batches (default 250 ms). */
  busyWaitMs?: number;
  /**
   * After the tables, erase the rows erasures kept back that nothing keeps any more
   * (`privacy.erase_due`), and report it as the summary's `erasures`. Not in a dry run, nor with
   * `table`, nor once stopped: then `erasures` says it was skipped, and why.
   */
  erasures?: boolean;
}

/**
 * Sweeps now: calls `privacy.sweep()` batch by batch, each call its own transaction, table after
 * table, until every run is done, the time budget is spent or the signal aborts. Safe to run
 * while other workers sweep the same tables (they share the batches) and to kill at any moment
 * (the next call resumes the run). Returns counts per table; throws the toolkit's errors.
 */
export async function runSweep(connection: SweepConnection, options: RunSweepOptions = {}): Promise<SweepSummary> {
  const started = Date.now();
  const { client, release, abandon } = await connect(connection, options.signal);
  // A batch that does not finish soon after a stop (a server that stopped answering) is given up.
  let abandoned = false;
  let grace: NodeJS.Timeout | undefined;
  const onStop = () => {
    grace = setTimeout(() => {
      abandoned = true;
      abandon();
    }, options.stopGraceMs ?? 10_000);
    grace.unref();
  };
  if (options.signal?.aborted) onStop();
  else options.signal?.addEventListener('abort', onStop, { once: true });
  try {
    if (options.dryRun) {
      const lines = await sweepStep(client, { table: options.table, dryRun: true });
      const byTable = new Map<string, TableSweepSummary>();
      for (const line of lines) {
        const summary = addSweepLines(byTable.get(line.table), [line]);
        if (summary) byTable.set(line.table, summary);
      }
      for (const due of await partitionsDue(client, options.table)) {
        const summary = byTable.get(due.table);
        if (summary) (summary.partitions ??= []).push({ name: due.name, rows: due.rows });
      }
      return {
        dryRun: true, complete: true, failed: false, elapsedMs: Date.now() - started, tables: [...byTable.values()],
        ...(options.erasures ? { erasures: { status: 'skipped', reason: 'dry-run' } satisfies DueErasures } : {}),
      };
    }

    const tables = options.table ? [options.table] : await tablesWithPolicies(client);
    const notBefore = await databaseNow(client);
    const deadline = options.timeBudgetMs === undefined ? Infinity : started + options.timeBudgetMs;
    const summaries: TableSweepSummary[] = [];
    let complete = true;
    for (const [index, table] of tables.entries()) {
      let summary: TableSweepSummary | undefined;
      // Whole expired partitions first, detached concurrently; the run then reports them.
      if (!options.signal?.aborted && Date.now() < deadline) {
        await detachExpiredPartitions(client, table, { signal: options.signal, deadline });
      }
      for (;;) {
        if (options.signal?.aborted || Date.now() >= deadline) {
          complete = false;
          break;
        }
        let lines;
        try {
          lines = await sweepStep(client, { table, batchSize: options.batchSize, lockBudgetMs: options.lockBudgetMs, notBefore });
        } catch (error) {
          if (!abandoned) throw error;
          complete = false;
          break;
        }
        summary = addSweepLines(summary, lines);
        if (!summary) break;
        options.onProgress?.({
          table: summary.table, tableNumber: index + 1, tableCount: tables.length,
          batchesDone: summary.batchesDone, batchesTotal: summary.batchesTotal, rows: summary.rows,
        });
        if (summary.state === 'done' || summary.state === 'failed') break;
        if (summary.state === 'busy') await sleep(options.busyWaitMs ?? 250);
      }
      if (summary?.state === 'failed' && summary.runId !== null) summary.error = await sweepFailure(client, summary.runId);
      if (summary) summaries.push(summary);
      if (!complete) break;
    }
    let erasures: DueErasures | undefined;
    if (options.erasures) {
      erasures = options.table ? { status: 'skipped', reason: 'table' }
        : !complete || options.signal?.aborted || Date.now() >= deadline ? { status: 'skipped', reason: 'stopped' }
        : await eraseDueSubjects(client, { signal: options.signal, deadline });
    }
    return {
      dryRun: false, complete, failed: summaries.some((s) => s.state === 'failed'),
      elapsedMs: Date.now() - started, tables: summaries, ...(erasures ? { erasures } : {}),
    };
  } catch (error) {
    if (!abandoned) throw error;
    throw new StoppedError('stopped: the running statement did not finish in time and was rolled back; run again to continue',
      { code: 'STOPPED', cause: error });
  } finally {
    clearTimeout(grace);
    options.signal?.removeEventListener('abort', onStop);
    await release();
  }
}

async function tablesWithPolicies(client: pg.ClientBase): Promise<string[]> {
  try {
    const { rows } = await client.query<{ table_name: string }>('select table_name from privacy.sweep_schedules()');
    return rows.map((r) => r.table_name);
  } catch (error) {
    throw toPrivacyError(error);
  }
}

/** The partitions a sweep would drop or detach now, by name (`privacy.sweep_partitions_due`). */
async function partitionsDue(client: pg.ClientBase, table: string | undefined): Promise<{ table: string; name: string; rows: number }[]> {
  try {
    const { rows } = await client.query<{ relation: string; partition_name: string; row_count: string }>(
      'select relation, partition_name, row_count from privacy.sweep_partitions_due($1)', [table ?? null]);
    return rows.map((r) => ({ table: r.relation, name: r.partition_name, rows: Number(r.row_count) }));
  } catch (error) {
    throw toPrivacyError(error);
  }
}

/** Why a run failed and what to do (`privacy.sweep_failure`). */
async function sweepFailure(client: pg.ClientBase, runId: number): Promise<SweepFailure> {
  try {
    const { rows } = await client.query<{ error: string | null; hint: string | null }>(
      'select error, hint from privacy.sweep_failure($1)', [runId]);
    return { message: rows[0]?.error ?? 'the run failed (privacy.sweep_run has no error for it)', hint: rows[0]?.hint ?? null };
  } catch (error) {
    throw toPrivacyError(error);
  }
}

async function databaseNow(client: pg.ClientBase): Promise<Date> {
  const { rows } = await client.query<{ now: Date }>('select pg_catalog.clock_timestamp() as now');
  return rows[0]!.now;
}

interface SweepClient {
  client: pg.ClientBase;
  release: () => Promise<void>;
  /** Closes the connection now, even with a statement in flight (which then fails). */
  abandon: () => void;
}

async function connect(connection: SweepConnection, signal: AbortSignal | undefined): Promise<SweepClient> {
  if (connection instanceof pg.Pool) {
    const client = await connection.connect();
    // pg-pool stops listening to a connection it hands out; a lost one must not crash the process.
    guardClient(client);
    let lost: Error | undefined;
    const onError = (error: Error) => {
      lost = error;
    };
    client.on('error', onError);
    let released = false;
    const giveBack = (error?: Error) => {
      if (released) return;
      released = true;
      client.off('error', onError);
      client.release(error); // with an error, the pool closes the connection instead of reusing it
    };
    return {
      client,
      release: async () => giveBack(lost),
      abandon: () => giveBack(new Error('sweep stopped: connection closed')),
    };
  }
  const client = await openClient(connection, { applicationName: 'integritet sweep', signal });
  return {
    client,
    release: () => client.end().catch(() => undefined),
    abandon: () => void client.end().catch(() => undefined),
  };
}
