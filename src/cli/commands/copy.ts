import { Command, InvalidArgumentError } from 'commander';
import { copyDatabase } from '../../copy/copy-database.ts';
import { streamProgress } from '../../copy/copy-progress.ts';
import { parseSubsets } from '../../copy/subset-option.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';
import { textTable } from '../../terminal/text-table.ts';

/** Collects `--subset` values, refusing one that cannot be read as a usage error (exit 2). */
export function collectSubset(value: string, previous: string[]): string[] {
  try {
    parseSubsets([value]);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
  return [...previous, value];
}

/** A positive whole number for `--jobs`. */
export function parseJobs(value: string): number {
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 32) throw new InvalidArgumentError('a whole number from 1 to 32');
  return jobs;
}

/** `integritet copy --to <url>`: an anonymized, lawful copy of the database for development and tests. */
export function copyCommand(): Command {
  return withDatabaseUrl(new Command('copy'))
    .description('copy this database into an empty one, anonymized, leaving restricted and expired rows behind')
    .requiredOption('--to <url>', 'connection string of the target: an empty database')
    .option('--subset <table: condition>', 'copy only these rows of a table, and what they need and own (repeatable)', collectSubset, [])
    .option('--jobs <n>', 'tables copied at once', parseJobs, 2)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', `
Every personal column goes through its anonymize strategy; rows restricted by an erasure, and rows
past their retention period (kept only by a minimum or a hold, or not swept yet), stay behind, and
so do rows that reference them. The target gets integritet installed with the source's catalog.
One snapshot: the copy is consistent even while the application writes. An interrupted copy leaves
the target marked unfinished; copy into it again to start over.

Examples:
  $ integritet copy --to postgres://localhost/staging
  $ integritet copy --to postgres://localhost/staging --subset "customer: 10%"
  $ integritet copy --to postgres://localhost/staging --subset "customer: id in (1, 2, 3)"`)
    .action(async (options: { to: string; subset: string[]; jobs: number; json?: boolean; databaseUrl?: string }) => {
      const started = Date.now();
      const result = await copyDatabase(databaseUrl(options), {
        to: options.to, subsets: parseSubsets(options.subset), jobs: options.jobs,
        progress: options.json ? undefined : streamProgress(process.stderr),
      });
      const seconds = (Date.now() - started) / 1000;
      if (options.json) {
        console.log(JSON.stringify({ ...result, seconds }));
        return;
      }
      console.log(textTable(['table', 'rows', 'columns'], result.tables.map((t) =>
        [t.table, t.rows.toLocaleString('en'), t.protected ? 'anonymized' : 'as stored (not protected)'])));
      const total = result.tables.reduce((sum, t) => sum + t.rows, 0);
      if (result.dangling > 0) console.log(`${result.dangling} rows left out: the rows they reference stayed behind`);
      console.log(`copied ${total.toLocaleString('en')} rows of ${result.tables.length} tables in ${seconds.toFixed(1)} s` +
        (result.target === 'restarted' ? ' (an interrupted copy in the target was removed first)' : ''));
    });
}
