import { Command } from 'commander';
import { migrateDown, migrateUp, migrationStatus } from '../../migrate/migrator.ts';
import { databaseUrl, withDatabaseUrl } from '../connection-option.ts';
import { textTable } from '../../terminal/text-table.ts';

const log = (line: string) => console.log(line);

/** `integritet migrate up|down|status`: install, upgrade, uninstall and inspect the toolkit's schema. */
export function migrateCommand(): Command {
  const migrate = new Command('migrate').description("install, upgrade or remove the toolkit's schema");

  withDatabaseUrl(migrate.command('up'))
    .description('apply pending migrations, then changed definitions')
    .option('--to <name>', 'stop after this migration')
    .addHelpText('after', '\nExamples:\n  $ integritet migrate up\n  $ integritet migrate up --to 0001-privacy-catalog')
    .action(async (options: { to?: string; databaseUrl?: string }) => {
      await migrateUp(databaseUrl(options), { to: options.to, log });
    });

  withDatabaseUrl(migrate.command('down'))
    .description('revert the latest migration, down to --to, or --all (uninstall)')
    .option('--to <name>', 'revert this migration and every later one')
    .option('--all', 'revert everything: remove the toolkit and the roles it created')
    .option('--force', 'revert even when that drops ledger entries, holds, restricted rows or subject requests')
    .addHelpText('after', '\nThe whole run is one transaction: a step that fails reverts nothing.\n' +
      'Export the ledger, holds, restrictions and requests first: integritet ledger export --out legal-state.json\n' +
      '\nExamples:\n  $ integritet migrate down\n  $ integritet migrate down --all --force')
    .action(async (options: { to?: string; all?: boolean; force?: boolean; databaseUrl?: string }) => {
      await migrateDown(databaseUrl(options), { to: options.to, all: options.all, force: options.force, log });
    });

  withDatabaseUrl(migrate.command('status'))
    .description('list migrations and definitions with their state, and objects of the toolkit missing or changed')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean; databaseUrl?: string }) => {
      const states = await migrationStatus(databaseUrl(options));
      if (options.json) {
        console.log(JSON.stringify(states, null, 2));
        return;
      }
      console.log(textTable(['migration', 'kind', 'state', 'applied at'],
        states.map((s) => [s.name, s.kind, s.state, s.appliedAt?.toISOString() ?? ''])));
      const problems = states.flatMap((s) => (s.problems ?? []).map((p) => `  ${p} (${s.name})`));
      if (problems.length > 0) console.log(`\nnot as installed:\n${problems.join('\n')}`);
      const pending = states.filter((s) => s.state !== 'applied').length;
      console.log(pending === 0 ? '\nup to date' : `\n${pending} to apply: run \`integritet migrate up\``);
      if (problems.length > 0) process.exitCode = 1;
    });

  return migrate;
}
