import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { Command } from 'commander';
import { streamProgress } from '../../copy/copy-progress.ts';
import { dumpDatabase } from '../../copy/dump-database.ts';
import { parseSubsets } from '../../copy/subset-option.ts';
import { InvalidDeclarationError } from '../../errors/privacy-error.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';
import { collectSubset } from './copy.ts';

/** `integritet dump`: the anonymized, lawful copy as a plain SQL script. */
export function dumpCommand(): Command {
  return withDatabaseUrl(new Command('dump'))
    .description('write an anonymized, lawful copy of this database as a plain SQL script for psql')
    .option('-f, --file <file>', 'file to write (default: standard output)')
    .option('--force', 'replace the file if it exists')
    .option('--subset <table: condition>', 'dump only these rows of a table, and what they need and own (repeatable)', collectSubset, [])
    .addHelpText('after', `
The same rows and anonymization as integritet copy. Restore into an empty database with
  psql -v ON_ERROR_STOP=1 -1 -f dump.sql
then install integritet there and apply the source's policy (integritet pull, integritet apply).

Examples:
  $ integritet dump -f staging.sql
  $ integritet dump --subset "customer: 5%" | psql -v ON_ERROR_STOP=1 -1 postgres://localhost/staging`)
    .action(async (options: { file?: string; force?: boolean; subset: string[]; databaseUrl?: string }) => {
      const subsets = parseSubsets(options.subset);
      if (options.file && existsSync(options.file) && !options.force) {
        throw new InvalidDeclarationError(`${options.file} exists: pass --force to replace it`, { code: 'FILE_EXISTS' });
      }
      const out = options.file ? createWriteStream(options.file) : process.stdout;
      const tables = await dumpDatabase(databaseUrl(options), out, {
        subsets, progress: options.file ? streamProgress(process.stderr) : undefined,
      });
      if (options.file) {
        out.end();
        await once(out, 'finish');
        const rows = tables.reduce((sum, t) => sum + t.rows, 0);
        console.log(`Wrote ${options.file}: ${rows.toLocaleString('en')} rows of ${tables.length} tables.`);
      }
    });
}
