import { Command } from 'commander';
import { openClient } from '../../database/open-client.ts';
import { toPrivacyError } from '../../errors/privacy-error.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';
import { textTable } from '../../terminal/text-table.ts';

/** `integritet sync`: regenerate masked views, policies and grants after schema changes. */
export function syncCommand(): Command {
  return withDatabaseUrl(new Command('sync'))
    .description('bring masked views, row-level security and grants in line with the tables and the catalog')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nRun it after ALTER TABLE on a protected table when the toolkit was installed without superuser\n' +
      '(with superuser, an event trigger does it at once).\n\nExample:\n  $ integritet sync')
    .action(async (options: { json?: boolean; databaseUrl?: string }) => {
      const client = await openClient(databaseUrl(options), { applicationName: 'integritet sync' });
      try {
        const { rows } = await client.query<{ schema_name: string; table_name: string; outcome: string }>(
          'select schema_name, table_name, outcome from privacy.sync()');
        if (options.json) {
          console.log(JSON.stringify(rows.map((r) => ({ table: `${r.schema_name}.${r.table_name}`, outcome: r.outcome }))));
        } else if (rows.length === 0) {
          console.log('no protected tables');
        } else {
          console.log(textTable(['table', 'outcome'], rows.map((r) => [`${r.schema_name}.${r.table_name}`, r.outcome])));
        }
      } catch (error) {
        throw toPrivacyError(error);
      } finally {
        await client.end().catch(() => undefined);
      }
    });
}
