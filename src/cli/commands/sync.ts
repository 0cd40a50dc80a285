import { Command } from 'commander';
import { openClient } from '../../database/open-client.ts';
import { retryWhileInUse } from '../../database/retry-while-in-use.ts';
import { toPrivacyError } from '../../errors/privacy-error.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';
import { textTable } from '../../terminal/text-table.ts';

/** `integritet sync`: regenerate masked views, policies and grants after schema changes. */
export function syncCommand(): Command {
  return withDatabaseUrl(new Command('sync'))
    .description('bring masked views, row-level security and grants in line with the tables and the catalog')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nRun it after ALTER TABLE on a protected table when the toolkit was installed without superuser\n' +
      '(with superuser, an event trigger does it at once).\n\n' +
      'Each table is brought in line in a transaction of its own, in a fixed order. A table in use by a\n' +
      'long transaction is never waited for in the lock queue longer than privacy.ddl_lock_timeout\n' +
      '(100 ms): sync says who holds it and tries again, so the application never waits behind it.\n\n' +
      'Example:\n  $ integritet sync')
    .action(async (options: { json?: boolean; databaseUrl?: string }) => {
      const client = await openClient(databaseUrl(options), { applicationName: 'integritet sync' });
      const rows: { table: string; outcome: string }[] = [];
      try {
        // Tables renamed since they were last synced keep their rules (sql/235-follow-renames.sql).
        await client.query('select privacy.follow_renames()');
        const tables = await client.query<{ schema_name: string; table_name: string }>(
          'select schema_name, table_name from privacy.sync_tables()');
        for (const t of tables.rows) {
          const table = `${t.schema_name}.${t.table_name}`;
          const outcome = await retryWhileInUse(table, async () => {
            await client.query('begin');
            try {
              const result = await client.query<{ outcome: string | null }>(
                'select privacy.sync_one($1, $2) as outcome', [t.schema_name, t.table_name]);
              await client.query('commit');
              return result.rows[0]?.outcome ?? null;
            } catch (error) {
              await client.query('rollback').catch(() => undefined);
              throw toPrivacyError(error);
            }
          }, { log: (line) => console.error(line) });
          if (outcome !== null) rows.push({ table, outcome });
        }
        if (options.json) {
          console.log(JSON.stringify(rows));
        } else if (rows.length === 0) {
          console.log('no protected tables');
        } else {
          console.log(textTable(['table', 'outcome'], rows.map((r) => [r.table, r.outcome])));
        }
      } catch (error) {
        throw toPrivacyError(error);
      } finally {
        await client.end().catch(() => undefined);
      }
    });
}
