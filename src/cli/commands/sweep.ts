import { Command, InvalidArgumentError } from 'commander';
import type { DueErasures } from '../../retention/due-erasures.ts';
import { retentionForecast } from '../../retention/retention-forecast.ts';
import { runSweep, type SweepProgress } from '../../retention/run-sweep.ts';
import type { SweepSummary } from '../../retention/sweep-summary.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';
import { textTable } from '../../terminal/text-table.ts';

/**
 * `integritet sweep`: run retention sweeps now, or count what they would do; then erase the rows
 * erasures kept back that nothing keeps any more (`privacy.erase_due`).
 */
export function sweepCommand(): Command {
  return withDatabaseUrl(new Command('sweep'))
    .description('anonymize or delete expired rows now, as the retention policies say (or --dry-run to count)')
    .option('--table <table>', 'only this table (table or schema.table)')
    .option('--dry-run', 'count rows per table, action and reason they are kept, change nothing')
    .option('--at <date>', 'with --dry-run: what the sweeps on that day (YYYY-MM-DD) would do, and why', isoDate)
    .option('--json', 'print the summary as JSON (no progress bar)')
    .option('--no-erasures', 'do not erase the rows erasures kept back that nothing keeps any more')
    .option('--batch-size <rows>', 'rows per batch', positiveInteger, 10_000)
    .option('--lock-budget <ms>', 'longest a transaction keeps taking quick batches (and holds their row locks)', milliseconds, 200)
    .addHelpText('after', `
Rows a statutory minimum or a legal hold keeps are never touched: they are counted as kept,
with the reason. The command can be stopped at any moment; running it again resumes.

Partitioned tables under a delete policy lose whole partitions: a partition (never the default
one) whose rows have all expired and none of which is kept is dropped (DROP TABLE), or detached
when the policy says so (SQL expired_partitions => 'detach', policy file expiredPartitions). --dry-run names each partition it would drop;
the ledger names each dropped partition (sweep.partition.drop).

A table whose sweep fails is printed with its error (SQLSTATE and the constraint or column that
refused the change) and what to do; --json carries it as tables[].error.

After the tables, the rows that erasures kept back (restricted, GDPR Art. 18) and that nothing
keeps any more (the minimum ended, the hold was released) are erased: privacy.erase_due(). Not
with --table or --no-erasures; --dry-run does not count them (counting would mean erasing). A
role that may not run privacy.erase_due() (privacy_sweeper and privacy_admin may) gets a
one-line note on stderr, and the exit code stays 0.

Exit codes: 0 done; 1 a table's sweep or the erasures failed, or an error.

Examples:
  $ integritet sweep --dry-run
  $ integritet sweep --dry-run --at 2027-01-01     # the next year coming: what goes, and which minimum or hold ends
  $ integritet sweep --table position --json
  $ integritet sweep --no-erasures`)
    .action(async (options: { table?: string; dryRun?: boolean; at?: string; json?: boolean; erasures: boolean; batchSize: number;
                              lockBudget: number; databaseUrl?: string }, command: Command) => {
      if (options.at !== undefined) {
        if (!options.dryRun) command.error('error: --at forecasts a future sweep: give --dry-run with it');
        const lines = await retentionForecast(databaseUrl(options), options.at, options.table);
        console.log(options.json ? JSON.stringify(lines, null, 2) : lines.length === 0 ? `nothing to do on ${options.at}`
          : textTable(['table', 'on ' + options.at, 'why', 'rows', 'until'],
              lines.map((l) => [l.table, l.action === 'kept' ? 'kept' : `would ${l.action}`, l.reason ?? '', String(l.rows), l.until ?? ''])));
        return;
      }
      const showProgress = !options.json && !options.dryRun && process.stderr.isTTY === true;
      const stop = new AbortController();
      // The first signal stops after the batch in flight (or at once while connecting); a second
      // one finds no handler and ends the process.
      const interrupt = (signal: NodeJS.Signals) => stop.abort(signal);
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      try {
        const summary = await runSweep(databaseUrl(options), {
          table: options.table, dryRun: options.dryRun, batchSize: options.batchSize, lockBudgetMs: options.lockBudget,
          signal: stop.signal, erasures: options.erasures,
          onProgress: showProgress ? drawProgress : undefined,
        });
        summary.erasures ??= { status: 'skipped', reason: 'disabled' };
        if (showProgress) process.stderr.write('\r\x1b[K');
        console.log(options.json ? JSON.stringify(summary, null, 2) : describeSummary(summary));
        const erasures = summary.erasures;
        if (erasures.status === 'skipped' && erasures.note) {
          console.error(`integritet: note: ${erasures.note}, or pass --no-erasures`);
        }
        if (erasures.status === 'failed') {
          console.error(`integritet: kept-back erasures failed: ${erasures.message}${erasures.code ? ` [${erasures.code}]` : ''}`);
        }
        if (summary.failed || erasures.status === 'failed') process.exitCode = 1;
      } finally {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
      }
    });
}

function isoDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new InvalidArgumentError('a date as YYYY-MM-DD');
  return value;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 10) throw new InvalidArgumentError('a whole number of at least 10');
  return n;
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number of milliseconds');
  return n;
}

function drawProgress(progress: SweepProgress): void {
  const width = 30;
  const total = Math.max(progress.batchesTotal, 1);
  const filled = Math.round((Math.min(progress.batchesDone, total) / total) * width);
  process.stderr.write(
    `\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${progress.batchesDone}/${progress.batchesTotal} batches` +
    `  ${progress.rows.toLocaleString('en')} rows  ${progress.table} (${progress.tableNumber}/${progress.tableCount})`);
}

/** The summary as a text table, one line per table, then the kept-back erasures. */
export function describeSummary(summary: SweepSummary): string {
  const erasures = summary.erasures ? describeErasures(summary.erasures) : '';
  return erasures ? `${describeTables(summary)}\n\n${erasures}` : describeTables(summary);
}

function describeTables(summary: SweepSummary): string {
  if (summary.tables.length === 0) return 'no table has a retention policy';
  const verb = (action: string) => (summary.dryRun ? `would ${action}` : action === 'delete' ? 'deleted' : 'anonymized');
  const table = textTable(
    ['table', 'action', 'rows', 'in partitions', 'kept back', 'state'],
    summary.tables.map((t) => [
      t.table, verb(t.action), t.rows.toLocaleString('en'), t.partitionRows.toLocaleString('en'),
      Object.entries(t.kept).map(([reason, rows]) => `${rows.toLocaleString('en')} ${reason}`).join(', ') || '-',
      summary.dryRun ? 'dry run' : t.state,
    ]),
  );
  const partitions = summary.tables.flatMap((t) => (t.partitions ?? []).map((p) =>
    `${t.table}: ${summary.dryRun ? 'would drop' : 'dropped'} whole partition ${p.name} (${p.rows.toLocaleString('en')} rows)`));
  const failures = summary.tables.filter((t) => t.state === 'failed').map((t) =>
    `${t.table} failed: ${t.error?.message ?? 'see privacy.sweep_run'}${t.error?.hint ? `\n  what to do: ${t.error.hint}` : ''}`);
  const seconds = (summary.elapsedMs / 1000).toFixed(1);
  const tail = summary.dryRun ? 'dry run: nothing changed'
    : !summary.complete ? `stopped after ${seconds} s: run again to continue`
    : summary.failed ? `done in ${seconds} s, with failures: ${failures.length} tables failed, their personal data is still there`
    : `done in ${seconds} s`;
  return [table, ...(partitions.length ? [partitions.join('\n')] : []), ...(failures.length ? [failures.join('\n')] : []), tail].join('\n\n');
}

/** What `privacy.erase_due()` erased, per table and outcome; empty when it was not meant to run. */
function describeErasures(erasures: DueErasures): string {
  if (erasures.status === 'skipped') {
    return erasures.reason === 'dry-run' ? 'kept-back erasures: not counted in a dry run'
      : erasures.reason === 'stopped' ? 'kept-back erasures: not run, the sweep was stopped'
      : '';  // --table, --no-erasures; not permitted: a note on stderr
  }
  const tail = erasures.status === 'failed' ? 'kept-back erasures failed: see the error'
    : !erasures.complete ? 'kept-back erasures stopped before all were done: run again to continue'
    : '';
  if (erasures.tables.length === 0) return tail || 'no kept-back erasures are due';
  const table = textTable(
    ['table', 'outcome', 'rows', 'kept by'],
    erasures.tables.map((t) => [t.table, t.outcome, t.rows.toLocaleString('en'), t.keptBy ?? '-']),
  );
  return `kept-back erasures now due (privacy.erase_due):\n${table}${tail ? `\n\n${tail}` : ''}`;
}
