import { Command, InvalidArgumentError } from 'commander';
import { runSweep, type SweepProgress } from '../../retention/run-sweep.ts';
import type { SweepSummary } from '../../retention/sweep-summary.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';
import { textTable } from '../text-table.ts';

/** `integritet sweep`: run retention sweeps now, or count what they would do. */
export function sweepCommand(): Command {
  return withDatabaseUrl(new Command('sweep'))
    .description('anonymize or delete expired rows now, as the retention policies say (or --dry-run to count)')
    .option('--table <table>', 'only this table (table or schema.table)')
    .option('--dry-run', 'count rows per table, action and reason they are kept, change nothing')
    .option('--json', 'print the summary as JSON (no progress bar)')
    .option('--batch-size <rows>', 'rows per batch', positiveInteger, 10_000)
    .option('--lock-budget <ms>', 'longest a transaction keeps taking quick batches (and holds their row locks)', milliseconds, 200)
    .addHelpText('after', `
Rows a statutory minimum or a legal hold keeps are never touched: they are counted as kept,
with the reason. The command can be stopped at any moment; running it again resumes.

Examples:
  $ integritet sweep --dry-run
  $ integritet sweep --table position --json`)
    .action(async (options: { table?: string; dryRun?: boolean; json?: boolean; batchSize: number; lockBudget: number;
                              databaseUrl?: string }) => {
      const showProgress = !options.json && !options.dryRun && process.stderr.isTTY === true;
      const stop = new AbortController();
      const interrupt = () => stop.abort();
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      try {
        const summary = await runSweep(databaseUrl(options), {
          table: options.table, dryRun: options.dryRun, batchSize: options.batchSize, lockBudgetMs: options.lockBudget,
          signal: stop.signal,
          onProgress: showProgress ? drawProgress : undefined,
        });
        if (showProgress) process.stderr.write('\r\x1b[K');
        console.log(options.json ? JSON.stringify(summary, null, 2) : describeSummary(summary));
        if (summary.failed) process.exitCode = 1;
      } finally {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
      }
    });
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

/** The summary as a text table, one line per table. */
export function describeSummary(summary: SweepSummary): string {
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
  const seconds = (summary.elapsedMs / 1000).toFixed(1);
  const tail = summary.dryRun ? 'dry run: nothing changed'
    : !summary.complete ? `stopped after ${seconds} s: run again to continue`
    : summary.failed ? `done in ${seconds} s, with failures: see privacy.sweep_run and the ledger`
    : `done in ${seconds} s`;
  return `${table}\n\n${tail}`;
}
